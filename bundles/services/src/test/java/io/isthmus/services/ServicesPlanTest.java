package io.isthmus.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.firewall.HostOpenings.Opening;
import io.isthmus.api.linux.LocalService;
import io.isthmus.api.net.Ipv4Address;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServicesPlanTest {
    static final List<Ipv4Address> UPSTREAM = List.of(Ipv4Address.parse("203.0.113.53").orElseThrow(),
            Ipv4Address.parse("127.0.0.53").orElseThrow());

    @Test
    void dmzGetsRouterAndForwardingOfflineNeither() throws Exception {
        List<LocalService> s = ServicesPlan.services(Documents.withServices(Documents.LAB), UPSTREAM);
        assertEquals(List.of("eth1", "eth2"), s.stream().map(LocalService::device).toList());
        LocalService dmz = s.get(0);
        LocalService ot = s.get(1);
        assertTrue(dmz.dhcp().orElseThrow().router());
        assertEquals(List.of(Ipv4Address.parse("203.0.113.53").orElseThrow()), dmz.upstream(),
                "forwards to the uplink's resolvers, never to a loopback one");
        assertEquals(Duration.ofSeconds(600), dmz.dhcp().orElseThrow().lease());
        assertEquals("02:aa:00:00:00:01", dmz.dhcp().orElseThrow().reservations().get(0).mac());
        assertFalse(ot.dhcp().orElseThrow().router(), "an offline port is offered no router by default");
        assertTrue(ot.upstream().isEmpty(), "an offline port's DNS answers local names only by default");
        assertTrue(ot.hosts().contains(new LocalService.Host("hmi1", Ipv4Address.parse("192.168.50.20").orElseThrow())));
        assertEquals(new LocalService.Host("gateway", Ipv4Address.parse("10.20.0.1").orElseThrow()), ot.hosts().get(0));
        assertEquals("plant.lan", ot.domain());
    }

    @Test
    void offlineRouterAndForwardingOnlyWhenTheDocumentSaysSo() throws Exception {
        List<LocalService> s = ServicesPlan.services(Documents.withServices("""
                {"ports": {"eth2": {"dhcp": {"start": "10.20.0.100", "end": "10.20.0.150", "router": true},
                                    "dns": {"forward": true}}}}"""), UPSTREAM);
        assertTrue(s.get(0).dhcp().orElseThrow().router());
        assertEquals(1, s.get(0).upstream().size());
    }

    @Test
    void onlyAPortWhoseDnsForwardsFollowsTheResolvers() throws Exception {
        assertTrue(ServicesPlan.followsResolvers(Documents.withServices(Documents.LAB)), "the DMZ forwards by default");
        assertFalse(ServicesPlan.followsResolvers(Documents.withServices("""
                {"ports": {"eth2": {"dhcp": {"start": "10.20.0.100", "end": "10.20.0.150"}, "dns": {}}}}""")),
                "the offline port answers local names only");
        assertFalse(ServicesPlan.followsResolvers(Documents.withServices("""
                {"ports": {"eth1": {"dhcp": {"start": "192.168.50.100", "end": "192.168.50.150"}}}}""")),
                "DHCP alone has nothing to forward");
    }

    @Test
    void dhcpWithoutDnsOffersNoDnsServer() throws Exception {
        List<LocalService> s = ServicesPlan.services(Documents.withServices("""
                {"ports": {"eth1": {"dhcp": {"start": "192.168.50.100", "end": "192.168.50.150"}}}}"""), UPSTREAM);
        assertFalse(s.get(0).dns());
        assertFalse(s.get(0).dhcp().orElseThrow().dnsServer());
    }

    @Test
    void onlyAPortServedTimeIsOfferedTheGatewayAsNtpServer() throws Exception {
        List<LocalService> s = ServicesPlan.services(Documents.withServices("""
                {"ports": {"eth1": {"dhcp": {"start": "192.168.50.100", "end": "192.168.50.150"}},
                           "eth2": {"dhcp": {"start": "10.20.0.100", "end": "10.20.0.150"}}},
                 "time": {"serve": ["eth2"]}}"""), UPSTREAM);
        assertFalse(s.get(0).dhcp().orElseThrow().ntpServer(), "eth1 is not served time");
        assertTrue(s.get(1).dhcp().orElseThrow().ntpServer(), "eth2 is served time");
        assertFalse(ServicesPlan.services(Documents.withServices(Documents.LAB), UPSTREAM).stream()
                .anyMatch(l -> l.dhcp().orElseThrow().ntpServer()), "no time part, no NTP server offered");
    }

    @Test
    void openingsExactlyWhereServed() throws Exception {
        assertEquals(List.of(new Opening("eth1", "udp", 67, "dhcp server"), new Opening("eth1", "udp", 53, "dns"),
                new Opening("eth1", "tcp", 53, "dns"), new Opening("eth2", "udp", 67, "dhcp server")),
                ServicesPlan.openings(Documents.withServices("""
                        {"ports": {"eth1": {"dhcp": {"start": "192.168.50.100", "end": "192.168.50.150"},
                                            "dns": {}},
                                   "eth2": {"dhcp": {"start": "10.20.0.100", "end": "10.20.0.150"}}}}""")));
        assertEquals(List.of(), ServicesPlan.openings(Documents.withServices("")));
    }

    @Test
    void noSectionServesNothing() throws Exception {
        assertEquals(List.of(), ServicesPlan.services(Documents.withServices(""), UPSTREAM));
    }
}
