package io.isthmus.services;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isthmus.api.linux.LocalServers;
import io.isthmus.api.linux.LocalService;
import io.isthmus.api.linux.ServedLease;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.api.net.Ipv4Address;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The command's shape; LocalServers is a stand-in here (the real one runs dnsmasq: ServicesSystemIT). */
class DhcpLeasesCommandTest {
    static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    @Test
    void unexpiredLeasesAndWhatEachPortServes() throws Exception {
        List<LocalService> served = ServicesPlan.services(Documents.withServices(Documents.LAB),
                List.of(Ipv4Address.parse("203.0.113.53").orElseThrow()));
        LocalServers servers = new LocalServers() {
            @Override
            public void serve(List<LocalService> services) {
            }

            @Override
            public List<LocalService> served() {
                return served;
            }

            @Override
            public List<ServedLease> leases() {
                return List.of(new ServedLease("eth1", "02:aa:00:00:00:01", Ipv4Address.parse("192.168.50.20")
                        .orElseThrow(), Optional.of("hmi1"), NOW.plusSeconds(60)), new ServedLease("eth2",
                        "02:aa:00:00:00:02", Ipv4Address.parse("10.20.0.101").orElseThrow(), Optional.empty(),
                        NOW.minusSeconds(1)));
            }
        };
        CommandReply r = new DhcpLeasesCommand(servers, Clock.fixed(NOW, ZoneOffset.UTC)).handle(Map.of());
        assertEquals(List.of(Map.of("port", "eth1", "mac", "02:aa:00:00:00:01", "address", "192.168.50.20", "name",
                "hmi1", "expires", "2026-12-03T12:01:00Z")), r.body().get("leases"), "the expired one is left out");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> ports = (Map<String, Map<String, Object>>) r.body().get("ports");
        assertEquals("10.20.0.100-10.20.0.150", ports.get("eth2").get("range"));
        assertEquals(false, ports.get("eth2").get("router"));
        assertEquals(List.of(), ports.get("eth2").get("forwardsTo"));
        assertEquals(List.of("203.0.113.53"), ports.get("eth1").get("forwardsTo"));
        assertEquals(400, new DhcpLeasesCommand(servers, Clock.systemUTC()).handle(Map.of("port", 1)).status());
    }
}
