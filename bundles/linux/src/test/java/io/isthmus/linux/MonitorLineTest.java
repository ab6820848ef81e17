package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class MonitorLineTest {

    @Test
    void capturedMonitorOutput() {
        List<MonitorLine> events = Captured.read("monitor-link.txt").lines().map(MonitorLine::parse)
                .flatMap(Optional::stream).toList();
        assertEquals(List.of(new MonitorLine(4, "vd", false), new MonitorLine(4, "vd", false),
                new MonitorLine(5, "vc", false), new MonitorLine(4, "vd", false), new MonitorLine(5, "vc", false),
                new MonitorLine(6, "vf", false), new MonitorLine(7, "ve", false), new MonitorLine(7, "ve", true),
                new MonitorLine(6, "vf", true)), events);
    }

    @Test
    void otherLinesAreNoEvents() {
        assertTrue(MonitorLine.parse("").isEmpty());
        assertTrue(MonitorLine.parse("Error: something").isEmpty());
        assertTrue(MonitorLine.parse("    link/ether 5e:4f:07:37:00:e6 brd ff:ff:ff:ff:ff:ff").isEmpty());
        assertEquals(Optional.of(new MonitorLine(3, "eth0", false)),
                MonitorLine.parse("[LINK]3: eth0: <BROADCAST,MULTICAST,UP> mtu 1500"));
    }
}
