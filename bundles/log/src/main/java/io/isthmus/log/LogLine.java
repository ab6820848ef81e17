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

    /**
     * A journal line must stay one line and plain text: a message with newlines would split an event in two, and
     * a NUL or an escape sequence (say, from a port name a request carried) would cut or repaint a terminal. Every
     * control character is written escaped: {@code \n}, {@code \r}, {@code \t}, else as a backslash-u escape.
     */
    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
