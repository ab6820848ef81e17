package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.linux.ClockState;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.TimeStatus;
import io.isthmus.api.linux.TimeSync;
import io.isthmus.api.net.Ipv4Cidr;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChronyConfigTest {
    static final Path STATE = Path.of("/var/lib/isthmus/time");

    @Test
    void serversAllowedSubnetsAndEverythingKeptInTheGatewaysOwnDirectory() throws Exception {
        String conf = ChronyConfig.render(new TimeSync(List.of("203.0.113.123", "0.debian.pool.ntp.org"),
                List.of(Ipv4Cidr.parse("192.168.50.1/24").orElseThrow(), Ipv4Cidr.parse("10.20.0.1/24").orElseThrow())),
                STATE.resolve("chrony.drift"), STATE);
        List<String> lines = conf.lines().toList();
        assertTrue(lines.contains("server 203.0.113.123 iburst"), conf);
        assertTrue(lines.contains("server 0.debian.pool.ntp.org iburst"), conf);
        assertTrue(lines.indexOf("server 203.0.113.123 iburst") < lines.indexOf("server 0.debian.pool.ntp.org iburst"));
        assertTrue(lines.contains("allow 192.168.50.0/24"), conf);
        assertTrue(lines.contains("allow 10.20.0.0/24"), conf);
        assertTrue(lines.contains("driftfile /var/lib/isthmus/time/chrony.drift"), conf);
        assertTrue(lines.contains("bindcmdaddress /var/lib/isthmus/time/chronyd.sock"), conf);
        assertTrue(lines.contains("pidfile /var/lib/isthmus/time/chronyd.pid"), conf);
        assertTrue(lines.contains("cmdport 0"), conf);
    }

    @Test
    void aClockFarOffIsSteppedOnlyWhereChronydMaySetIt() throws Exception {
        TimeSync sync = new TimeSync(List.of("ntp.example"), List.of());
        assertTrue(ChronyConfig.render(sync, STATE.resolve("d"), STATE, true).lines().toList().contains("makestep 1 3"));
        // with -x a makestep is refused at every update and the offset is then reported as none at all
        assertFalse(ChronyConfig.render(sync, STATE.resolve("d"), STATE, false).contains("makestep"));
    }

    @Test
    void servingNobodyHasNoAllowLine() throws Exception {
        String conf = ChronyConfig.render(new TimeSync(List.of("ntp.example"), List.of()), STATE.resolve("d"), STATE);
        assertFalse(conf.contains("allow"), conf);
        assertFalse(conf.contains("local"), conf);
    }

    @Test
    void aServerThatCouldInjectADirectiveIsRefused() {
        assertThrows(KernelException.class, () -> ChronyConfig.render(new TimeSync(List.of("x\nallow all"), List.of()),
                STATE.resolve("d"), STATE));
        assertThrows(KernelException.class, () -> ChronyConfig.render(new TimeSync(List.of("a b"), List.of()),
                STATE.resolve("d"), STATE));
    }

    @Test
    void chronydNeverTouchesTheClockWhenTheGatewayMayNotSetIt() {
        Path conf = Path.of("/data/chrony.conf");
        assertEquals(List.of("-d", "-u", "isthmus", "-x", "-f", "/data/chrony.conf"),
                ChronyTimeKeeper.arguments(conf, "isthmus", false));
        assertFalse(ChronyTimeKeeper.arguments(conf, "isthmus", true).contains("-x"));
    }

    @Test
    void trackingOfASynchronisedClientAndItsSources() {
        TimeStatus s = ChronycOutput.parse(
                "CB00717B,203.0.113.123,9,1796317536.920404664,-0.000012000,0.000003,0.000010,1.2,0.0,0.1,"
                        + "0.000200,0.000100,64.5,Normal\n",
                "^,*,203.0.113.123,8,6,377,12,0.000003,0.000003,0.000100\n^,?,198.51.100.1,0,6,0,-,0,0,0\n");
        assertTrue(s.running());
        assertTrue(s.synchronised());
        assertEquals(Optional.of("203.0.113.123"), s.source());
        assertEquals(9, s.stratum());
        assertEquals(0.000012, s.offsetSeconds(), 1e-9, "a positive correction is a slow clock: negative offset");
        assertEquals(Optional.of(Instant.ofEpochMilli(1796317536920L)), s.lastSync());
        assertEquals(List.of(new TimeStatus.Source("203.0.113.123", "selected", 8, 255),
                new TimeStatus.Source("198.51.100.1", "unreachable", 0, 0)), s.sources());
    }

    @Test
    void trackingBeforeTheFirstSync() {
        TimeStatus s = ChronycOutput.parse("00000000,,0,0.000000000,0.000000000,0,0,0,0,0,1,1,0,Not synchronised\n",
                "^,?,203.0.113.123,0,6,0,-,0,0,0\n");
        assertTrue(s.running());
        assertFalse(s.synchronised());
        assertEquals(Optional.empty(), s.source());
        assertEquals(Optional.empty(), s.lastSync());
        assertEquals(1, s.sources().size());
    }

    /** chronyd -x (no makestep) on a clock five years slow, under libfaketime, as chronyc printed it. */
    @Test
    void aClockFiveYearsSlowUnderDashXIsSynchronisedWithItsWholeOffset() {
        TimeStatus s = ChronycOutput.parse("7F000001,127.0.0.1,9,1796325876.377204309,157680000.000000000,"
                + "-0.000001249,0.000001249,0.060,-3.575,1.783,0.000045126,0.000037315,2.0,Normal\n", "");
        assertTrue(s.synchronised());
        assertEquals(-157680000, s.offsetSeconds(), 1e-6);
        ClockState clock = new ClockState(true, s.synchronised(), s.offsetSeconds());
        Instant slow = Instant.parse("2021-12-04T19:24:36Z");
        assertEquals(Optional.of(slow.plusSeconds(157680000)), clock.trueTime(slow));
        assertEquals(Optional.empty(), new ClockState(true, false, 0).trueTime(slow));
    }
}
