package io.isthmus.linux;

import static io.isthmus.linux.ChangeTranslatorTest.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.linux.KernelException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PingCommandTest {

    @Test
    void argvCarriesOnlyTypedValues() throws KernelException {
        assertEquals(List.of("-n", "-q", "-c", "1", "-W", "0.400", "-s", "16", "-I", "100.65.1.10", "203.0.113.10"),
                PingCommand.argv(ip("100.65.1.10"), ip("203.0.113.10"), 16, Duration.ofMillis(400)));
        assertThrows(KernelException.class,
                () -> PingCommand.argv(ip("1.2.3.4"), ip("1.2.3.5"), -1, Duration.ofMillis(400)));
        assertThrows(KernelException.class,
                () -> PingCommand.argv(ip("1.2.3.4"), ip("1.2.3.5"), 8, Duration.ZERO));
    }

    @Test
    void roundTripTimeFromTheSummary() {
        assertEquals(Duration.ofNanos(27_000), PingCommand.rtt("rtt min/avg/max/mdev = 0.027/0.027/0.027/0.000 ms\n"));
        assertEquals(Duration.ZERO, PingCommand.rtt("1 packets transmitted, 1 received, 0% packet loss, time 0ms\n"));
    }

    /** A real echo in a namespace of its own: a reply from an address there, none from one that is not. */
    @Test
    void repliesAndSilenceInARealNamespace() throws KernelException {
        TestNamespace.assumeRoot();
        try (TestNamespace ns = TestNamespace.create()) {
            ns.ip("link", "set", "lo", "up");
            ns.ip("address", "add", "127.0.0.2/8", "dev", "lo");
            PingCommand pinger = new PingCommand(ns.namespace(), TestLog.logger("ping"));
            Optional<Duration> rtt = pinger.ping(ip("127.0.0.2"), ip("127.0.0.1"), 56, Duration.ofMillis(500));
            assertTrue(rtt.isPresent() && rtt.get().compareTo(Duration.ZERO) > 0, "measured: " + rtt);
            assertEquals(Optional.of(Duration.ZERO), pinger.ping(ip("127.0.0.2"), ip("127.0.0.1"), 8,
                    Duration.ofMillis(500)), "a reply, too small to carry a time");
            ns.ip("route", "add", "unreachable", "203.0.113.0/24");
            long start = System.nanoTime();
            Optional<Duration> none = pinger.ping(ip("127.0.0.2"), ip("203.0.113.10"), 8, Duration.ofMillis(300));
            assertTrue(none.isEmpty());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos(), "bounded by the timeout");
        }
    }
}
