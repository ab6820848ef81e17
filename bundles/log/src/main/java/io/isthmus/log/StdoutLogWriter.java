package io.isthmus.log;

import java.io.PrintStream;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;

/**
 * Writes each log entry the LogService accepts as one line on stdout. Which entries are accepted is the
 * LoggerAdmin's business: levels per bundle come from the configurations {@code org.osgi.service.log.admin}
 * (root) and {@code org.osgi.service.log.admin|<bundle symbolic name>}.
 */
@Component(immediate = true, service = {})
public class StdoutLogWriter implements LogListener {
    private final LogReaderService reader;
    private final PrintStream out;

    @Activate
    public StdoutLogWriter(@Reference LogReaderService reader) {
        this(reader, System.out);
    }

    StdoutLogWriter(LogReaderService reader, PrintStream out) {
        this.reader = reader;
        this.out = out;
        long since = System.currentTimeMillis();
        reader.addLogListener(this);
        // entries logged before we were listening (boot) are in the reader's history, newest first
        @SuppressWarnings("unchecked")
        List<LogEntry> backlog = java.util.Collections.list(reader.getLog());
        for (int i = backlog.size() - 1; i >= 0; i--) {
            if (backlog.get(i).getTime() < since) {
                logged(backlog.get(i));
            }
        }
    }

    @Deactivate
    void deactivate() {
        reader.removeLogListener(this);
    }

    @Override
    public void logged(LogEntry entry) {
        out.println(LogLine.format(entry));
    }
}
