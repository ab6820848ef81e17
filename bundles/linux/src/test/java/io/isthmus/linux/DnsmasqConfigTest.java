package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.LocalService;
import io.isthmus.api.linux.ServedLease;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DnsmasqConfigTest {
    static Ipv4Address a(String s) {
        return Ipv4Address.parse(s).orElseThrow();
    }

    static LocalService offline(boolean router, List<Ipv4Address> upstream) {
        return new LocalService("eth2", Ipv4Cidr.parse("10.20.0.1/24").orElseThrow(), "plant.lan",
                Optional.of(new LocalService.Dhcp(a("10.20.0.100"), a("10.20.0.150"), Duration.ofMinutes(10), router,
                        true, List.of(new LocalService.Reservation("02:aa:00:00:00:01", a("10.20.0.20"),
                                Optional.of("plc1"))))),
                true, upstream, List.of(new LocalService.Host("gateway", a("10.20.0.1"))));
    }

    @Test
    void oneInterfaceItsPoolReservationsAndNoRouterWhenNotWanted() throws Exception {
        String c = DnsmasqConfig.render(offline(false, List.of()), Path.of("/state/services/dnsmasq-eth2.leases"),
                "isthmus");
        assertEquals("""
                # written by Isthmus (io.isthmus.linux) from the network document; do not edit
                interface=eth2
                except-interface=lo
                bind-dynamic
                keep-in-foreground
                log-facility=-
                pid-file=
                user=isthmus
                no-resolv
                no-hosts
                no-poll
                port=53
                domain-needed
                bogus-priv
                local=/plant.lan/
                domain=plant.lan
                expand-hosts
                host-record=gateway.plant.lan,gateway,10.20.0.1
                dhcp-range=10.20.0.100,10.20.0.150,255.255.255.0,600
                dhcp-leasefile=/state/services/dnsmasq-eth2.leases
                dhcp-authoritative
                dhcp-option=option:router
                dhcp-option=option:dns-server,10.20.0.1
                dhcp-option=option:domain-name,plant.lan
                dhcp-host=02:aa:00:00:00:01,10.20.0.20,plc1
                """, c);
    }

    @Test
    void forwardingAndRouterWhenWanted() throws Exception {
        String c = DnsmasqConfig.render(offline(true, List.of(a("203.0.113.53"))), Path.of("/l"), "root");
        assertTrue(c.contains("\nserver=203.0.113.53\n"), c);
        assertTrue(c.contains("\ndhcp-option=option:router,10.20.0.1\n"), c);
    }

    @Test
    void theGatewayAsNtpServerOnlyWhenWanted() throws Exception {
        LocalService.Dhcp d = offline(false, List.of()).dhcp().orElseThrow();
        LocalService timed = new LocalService("eth2", Ipv4Cidr.parse("10.20.0.1/24").orElseThrow(), "plant.lan",
                Optional.of(new LocalService.Dhcp(d.first(), d.last(), d.lease(), false, true, true, d.reservations())),
                true, List.of(), List.of());
        assertTrue(DnsmasqConfig.render(timed, Path.of("/l"), "root").contains(
                "\ndhcp-option=option:ntp-server,10.20.0.1\n"));
        assertFalse(DnsmasqConfig.render(offline(false, List.of()), Path.of("/l"), "root").contains("ntp-server"),
                "dnsmasq sends no option 42 unless told");
    }

    @Test
    void badNamesNeverReachTheFile() {
        LocalService s = offline(false, List.of());
        LocalService bad = new LocalService("eth2", s.address(), "plant.lan\nserver=1.1.1.1", s.dhcp(), true,
                List.of(), List.of());
        assertThrows(KernelException.class, () -> DnsmasqConfig.render(bad, Path.of("/l"), "root"));
    }

    @Test
    void leaseFileLines() {
        List<ServedLease> l = DnsmasqLeases.parse("eth1", """
                1764800000 02:aa:00:00:00:01 192.168.50.20 hmi1 01:02:aa:00:00:00:01
                1764800100 02:AA:00:00:00:02 192.168.50.101 * *
                duid 00:01:00:01
                """);
        assertEquals(List.of(new ServedLease("eth1", "02:aa:00:00:00:01", a("192.168.50.20"), Optional.of("hmi1"),
                Instant.ofEpochSecond(1764800000L)), new ServedLease("eth1", "02:aa:00:00:00:02", a("192.168.50.101"),
                Optional.empty(), Instant.ofEpochSecond(1764800100L))), l);
    }

    @Test
    void netmask() {
        assertEquals("255.255.255.0", DnsmasqConfig.netmask(24));
        assertEquals("255.255.255.252", DnsmasqConfig.netmask(30));
    }
}
