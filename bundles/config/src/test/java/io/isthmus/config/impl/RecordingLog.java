package io.isthmus.config.impl;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every log line, prefixed with its level, for tests to read. */
final class RecordingLog implements EventLog {
    final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    public void info(String message) {
        lines.add("INFO " + message);
    }

    @Override
    public void warn(String message) {
        lines.add("WARN " + message);
    }

    @Override
    public void error(String message, Throwable cause) {
        lines.add("ERROR " + message);
    }

    boolean has(String level, String fragment) {
        return lines.stream().anyMatch(l -> l.startsWith(level + " ") && l.contains(fragment));
    }
}
