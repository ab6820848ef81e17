package io.isthmus.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import org.osgi.framework.Bundle;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;

import org.junit.jupiter.api.Test;

class LogLineTest {

    /** LogEntry and Bundle are framework interfaces; a proxy stands in for the framework here. */
    private static LogEntry entry(String message, Throwable t, String logger) {
        Bundle bundle = (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (p, m, a) -> m.getName().equals("getSymbolicName") ? "io.isthmus.config" : null);
        return (LogEntry) Proxy.newProxyInstance(LogEntry.class.getClassLoader(), new Class<?>[] {LogEntry.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getBundle" -> bundle;
                    case "getTime" -> 1_700_000_000_000L;
                    case "getLogLevel" -> LogLevel.WARN;
                    case "getMessage" -> message;
                    case "getException" -> t;
                    case "getLoggerName" -> logger;
                    default -> null;
                });
    }

    @Test
    void lineCarriesTimeLevelBundleAndMessage() {
        String line = LogLine.format(entry("generation 3 committed", null, "io.isthmus.config"));
        assertEquals("2023-11-14T22:13:20Z WARN  io.isthmus.config: generation 3 committed", line);
    }

    @Test
    void multiLineMessageAndExceptionStayOnOneLine() {
        String line = LogLine.format(entry("first\nsecond", new IllegalStateException("bad\nthing"),
                "io.isthmus.config.impl.Pipeline"));
        assertFalse(line.contains("\n"), line);
        assertTrue(line.contains("[io.isthmus.config.impl.Pipeline]"), line);
        assertTrue(line.contains("first\\nsecond"), line);
        assertTrue(line.contains("java.lang.IllegalStateException: bad\\nthing at "), line);
    }

    @Test
    void controlCharactersAreWrittenEscapedNeverRaw() {
        String line = LogLine.format(entry("port \"eth\u0000\u001b[2J\u0085\tx\" rejected", new IllegalStateException(
                "bad\u0007"), "io.isthmus.config"));
        assertTrue(line.contains("port \"eth\\u0000\\u001b[2J\\u0085\\tx\" rejected"), line);
        assertTrue(line.contains("bad\\u0007"), line);
        assertTrue(line.chars().noneMatch(c -> c < 0x20 || (c >= 0x7f && c < 0xa0)), line);
    }
}
