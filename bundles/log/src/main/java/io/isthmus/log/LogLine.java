package io.isthmus.log;

import java.time.Instant;
import org.osgi.service.log.LogEntry;

/** One log entry, one line: time, level, bundle, logger when it is not the bundle, message, exception. */
final class LogLine {
    private LogLine() {
    }

    static String format(LogEntry e) {
        String bundle = e.getBundle() == null ? "-" : e.getBundle().getSymbolicName();
        StringBuilder sb = new StringBuilder(160)
                .append(Instant.ofEpochMilli(e.getTime()))
                .append(' ').append(String.format("%-5s", e.getLogLevel()))
                .append(' ').append(bundle);
        String logger = e.getLoggerName();
        if (logger != null && !logger.equals(bundle) && !logger.equals("LogService")) {
            sb.append(" [").append(logger).append(']');
        }
        sb.append(": ").append(oneLine(e.getMessage()));
        Throwable t = e.getException();
        if (t != null) {
            sb.append(" | ").append(t.getClass().getName()).append(": ").append(oneLine(t.getMessage()));
            StackTraceElement[] trace = t.getStackTrace();
            if (trace.length > 0) {
                sb.append(" at ").append(trace[0]);
            }
        }
        return sb.toString();
    }

    /** A journal line must stay one line: a message with newlines would split an event in two. */
    private static String oneLine(String s) {
        return s == null ? "" : s.replace("\r", "\\r").replace("\n", "\\n");
    }
}
