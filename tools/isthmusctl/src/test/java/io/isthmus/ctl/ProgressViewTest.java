package io.isthmus.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProgressViewTest {
    static DeviceResult committed(String device) {
        return new DeviceResult(device, "wave 1", Optional.of("1.0.0"), Optional.of("1.1.0"), Outcome.COMMITTED, 1600,
                Optional.empty(), Optional.of("j"));
    }

    @Test
    void plainLinesOnlyForNewStatesAndForwardQuarters() {
        StringWriter w = new StringWriter();
        ProgressView v = new ProgressView(new PrintWriter(w), false, 1);
        v.state("gw-1", "receiving", 0, 0, 100);
        v.state("gw-1", "receiving", 10, 10, 100);
        v.state("gw-1", "receiving", 60, 60, 100);
        v.state("gw-1", "receiving", 0, 0, 100); // the gateway's own, older count
        v.state("gw-1", "verifying", 100, 100, 100);
        v.state("gw-1", "health", 100, 100, 100);
        v.state("gw-1", "committed", 100, 100, 100);
        v.finished(committed("gw-1"));

        assertEquals(String.join("\n", "gw-1: receiving 0%", "gw-1: receiving 50%", "gw-1: verifying",
                "gw-1: health", "gw-1: committed 1.0.0 -> 1.1.0 in 1.6 s", ""), w.toString());
    }

    @Test
    void onATerminalOneBarIsRedrawnInPlace() {
        StringWriter w = new StringWriter();
        ProgressView v = new ProgressView(new PrintWriter(w), true, 2);
        v.state("gw-1", "receiving", 50, 1_048_576, 2_097_152);
        v.finished(committed("gw-1"));
        v.close();

        String out = w.toString();
        assertTrue(out.startsWith("\r[------------------------] 0/2  gw-1: receiving 50% 1.0/2.0 MB"), out);
        assertTrue(out.contains("\r\u001b[Kgw-1: committed 1.0.0 -> 1.1.0 in 1.6 s\n"), out);
        assertTrue(out.contains("\r[############------------] 1/2"), out);
        assertTrue(out.endsWith("\r\u001b[K"), "the bar is gone before the summary: " + out);
    }
}
