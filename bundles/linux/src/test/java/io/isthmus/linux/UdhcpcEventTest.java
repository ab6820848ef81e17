package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.linux.DhcpLease;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class UdhcpcEventTest {
    private static final String BOUND =
            "ISTHMUS bound ip=10.77.0.50 mask=24 subnet=255.255.255.0 router=10.77.0.1,10.77.0.2 "
                    + "dns=10.77.0.1,9.9.9.9 mtu=1400 lease=120";

    private static Ipv4Address ip(String s) {
        return Ipv4Address.parse(s).orElseThrow();
    }

    @Test
    void boundWithRouter() {
        UdhcpcEvent e = UdhcpcEvent.parse("eth0", BOUND, true).orElseThrow();
        assertEquals("bound", e.event());
        assertEquals(Optional.of(new DhcpLease("eth0", Ipv4Cidr.parse("10.77.0.50/24").orElseThrow(),
                Optional.of(ip("10.77.0.1")), List.of(ip("10.77.0.1"), ip("9.9.9.9")), Optional.of(1400),
                Duration.ofSeconds(120))), e.lease());
    }

    @Test
    void routerDroppedWhenNotWanted() {
        DhcpLease lease = UdhcpcEvent.parse("eth2", BOUND.replace("bound", "renew"), false).orElseThrow().lease()
                .orElseThrow();
        assertEquals(Optional.empty(), lease.router());
        assertEquals("eth2", lease.device());
    }

    @Test
    void ntpServersOfAnUplinkOnly() {
        String line = BOUND + " ntp=10.77.0.123,x,192.0.2.123";
        assertEquals(List.of(ip("10.77.0.123"), ip("192.0.2.123")), UdhcpcEvent.parse("eth0", line, true)
                .orElseThrow().lease().orElseThrow().ntp(), "what does not parse is dropped");
        assertEquals(List.of(), UdhcpcEvent.parse("eth2", line, false).orElseThrow().lease().orElseThrow().ntp(),
                "not asked for on an inside port: dropped like the router");
        assertEquals(List.of(), UdhcpcEvent.parse("eth0", BOUND + " ntp=", true).orElseThrow().lease().orElseThrow()
                .ntp());
    }

    @Test
    void leaseEndingEvents() {
        for (String event : List.of("deconfig", "leasefail", "nak")) {
            UdhcpcEvent e = UdhcpcEvent.parse("eth0", "ISTHMUS " + event + " ip= mask= subnet= router= dns= mtu= lease=",
                    true).orElseThrow();
            assertEquals(Optional.empty(), e.lease(), event);
        }
    }

    @Test
    void notOurLinesOrBadValues() {
        assertTrue(UdhcpcEvent.parse("eth0", "udhcpc: sending discover", true).isEmpty());
        assertTrue(UdhcpcEvent.parse("eth0", "ISTHMUS unknown ip=1.2.3.4", true).isEmpty());
        assertEquals(Optional.empty(), UdhcpcEvent.parse("eth0", "ISTHMUS bound ip=10.0.0.300 mask=24", true)
                .orElseThrow().lease(), "an address that does not parse is no lease");
        DhcpLease fromSubnet = UdhcpcEvent.parse("eth0", "ISTHMUS bound ip=10.0.0.3 mask= subnet=255.255.240.0 "
                + "mtu=9999999999 dns=x,1.1.1.1", true).orElseThrow().lease().orElseThrow();
        assertEquals(20, fromSubnet.address().prefix());
        assertEquals(Optional.empty(), fromSubnet.mtu());
        assertEquals(List.of(ip("1.1.1.1")), fromSubnet.dns());
        assertTrue(UdhcpcEvent.parse("eth0", "ISTHMUS bound ip=10.0.0.3 subnet=255.0.255.0", true).orElseThrow()
                .lease().isEmpty(), "a non-contiguous mask is no prefix");
    }

    /** The script udhcpc runs, with udhcpc's environment, prints exactly what the parser reads. */
    @Test
    void scriptOutputParses(@TempDir Path dir) throws IOException, KernelException {
        Path script = dir.resolve(UdhcpcClients.SCRIPT_NAME);
        Files.writeString(script, UdhcpcClients.SCRIPT);
        ProcessRunner runner = new ProcessRunner(Namespace.NONE, Duration.ofSeconds(10));
        String out = runner.run("env", List.of("ip=10.77.0.51", "mask=24", "subnet=255.255.255.0",
                "router=10.77.0.1 10.77.0.2", "dns=10.77.0.1 9.9.9.9", "mtu=1400", "lease=120",
                "ntpsrv=10.77.0.123 192.0.2.123", "/bin/sh", script.toString(), "bound"));
        assertEquals("ISTHMUS bound ip=10.77.0.51 mask=24 subnet=255.255.255.0 router=10.77.0.1,10.77.0.2 "
                + "dns=10.77.0.1,9.9.9.9 mtu=1400 lease=120 ntp=10.77.0.123,192.0.2.123\n", out);
        DhcpLease lease = UdhcpcEvent.parse("eth0", out.strip(), true).orElseThrow().lease().orElseThrow();
        assertEquals(Optional.of(ip("10.77.0.1")), lease.router());
        assertEquals(List.of(ip("10.77.0.123"), ip("192.0.2.123")), lease.ntp());
        assertEquals("ISTHMUS deconfig ip= mask= subnet= router= dns= mtu= lease= ntp=\n",
                runner.run("env", List.of("-i", "/bin/sh", script.toString(), "deconfig")));
    }
}
