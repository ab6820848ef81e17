package io.isthmus.log;

import java.io.PrintStream;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.admin.LoggerAdmin;

/**
 * Writes each log entry as one line on stdout, when the entry's level is enabled for its bundle and logger.
 * Levels per bundle come from the configurations {@code org.osgi.service.log.admin} (root) and
 * {@code org.osgi.service.log.admin|<bundle symbolic name>}, keyed by logger name ({@code ROOT} for all).
 * The filter is ours because the log service hands every entry to listeners, framework events at INFO and
 * DEBUG included, whatever the configured levels say.
 */
@Component(immediate = true, service = {})
public class StdoutLogWriter implements LogListener {
    private final LogReaderService reader;
    private final LoggerAdmin admin;
    private final PrintStream out;

    @Activate
    public StdoutLogWriter(@Reference(name = "reader") LogReaderService reader,
            @Reference(name = "admin") LoggerAdmin admin) {
        this(reader, admin, System.out);
    }

    StdoutLogWriter(LogReaderService reader, LoggerAdmin admin, PrintStream out) {
        this.reader = reader;
        this.admin = admin;
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
        if (enabled(entry)) {
            out.println(LogLine.format(entry));
        }
    }

    private boolean enabled(LogEntry entry) {
        String context = entry.getBundle() == null ? null : entry.getBundle().getSymbolicName();
        String logger = entry.getLoggerName() == null ? "ROOT" : entry.getLoggerName();
        LogLevel threshold = admin.getLoggerContext(context).getEffectiveLogLevel(logger);
        return threshold.implies(entry.getLogLevel());
    }
}
