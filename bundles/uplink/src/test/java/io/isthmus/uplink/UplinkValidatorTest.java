package io.isthmus.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isthmus.api.config.DnsConfig;
import io.isthmus.api.config.FirewallConfig;
import io.isthmus.api.config.Ipv4Config;
import io.isthmus.api.config.ManagementConfig;
import io.isthmus.api.config.MulticastConfig;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.config.UplinkConfig;
import io.isthmus.api.config.ValidationError;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortRole;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UplinkValidatorTest {
    static NetworkDocument document(UplinkConfig uplink) {
        Map<String, PortConfig> ports = new LinkedHashMap<>();
        ports.put("eth0", new PortConfig(PortKind.ETHERNET, PortRole.UPLINK, 0, new Ipv4Config.Dhcp(), Optional.empty(),
                Optional.empty(), List.of(), Map.of()));
        ports.put("eth2", new PortConfig(PortKind.ETHERNET, PortRole.OFFLINE, 0,
                new Ipv4Config.Static(Ipv4Cidr.parse("10.20.0.1/24").orElseThrow(), Optional.empty()), Optional.empty(),
                Optional.empty(), List.of(), Map.of()));
        return new NetworkDocument(ports, List.of(), uplink, FirewallConfig.empty(), MulticastConfig.empty(),
                DnsConfig.empty(), ManagementConfig.empty(), Map.of());
    }

    static List<String> pointers(UplinkConfig uplink) {
        return new UplinkValidator().validate(document(uplink)).stream().map(ValidationError::pointer).toList();
    }

    @Test
    void theLabsProbeSettingsAreValid() {
        assertEquals(List.of(), pointers(new UplinkConfig(new UplinkConfig.Probe(List.of("203.0.113.10",
                "tcp:203.0.113.10:1883", "dns:203.0.113.53:example.test", "broker.isthmus.test"), 500, 400, 3, 5))));
    }

    @Test
    void everyProblemWithItsPointer() {
        UplinkConfig bad = new UplinkConfig(new UplinkConfig.Probe(List.of("10.20.0.10", "tcp:203.0.113.10:99999",
                "dns:203.0.113.53:", "tcp:10.20.0.5:502", "bad host!"), 60, 50, 3, 5), UplinkConfig.EqualCost.MULTIPATH,
                5000, new UplinkConfig.Costly(50, 30_000, 16), Map.of("eth2", new UplinkConfig.DataCap(1, 1),
                        "eth9", new UplinkConfig.DataCap(1, 1)), Map.of("eth1", 2));
        List<ValidationError> errors = new UplinkValidator().validate(document(bad));
        assertEquals(List.of("/uplink/probe/targets/0", "/uplink/probe/targets/1", "/uplink/probe/targets/2",
                "/uplink/probe/targets/3", "/uplink/probe/targets/4", "/uplink/probe/intervalMs",
                "/uplink/dataCaps/eth2", "/uplink/dataCaps/eth9", "/uplink/weights/eth1"), errors.stream().map(ValidationError::pointer).toList());
        assertEquals("target 10.20.0.10 is on the network of offline port eth2: uplink probes never go there",
                errors.get(0).message());
        assertEquals("probing every 60 ms is below the safe minimum of 100 ms", errors.get(5).message());
    }

    @Test
    void aCostlyStandbyIntervalShorterThanTheProbeIntervalIsRefused() {
        assertEquals(List.of("/uplink/costly/intervalMs"), pointers(new UplinkConfig(UplinkConfig.Probe.defaults(),
                UplinkConfig.EqualCost.MULTIPATH, 0, new UplinkConfig.Costly(50, 200, 16), Map.of())));
    }

    static UplinkConfig paths(Optional<List<String>> management, Optional<List<String>> data) {
        UplinkConfig d = UplinkConfig.defaults();
        return new UplinkConfig(d.probe(), d.equalCost(), d.minDwellMs(), d.costly(), Map.of(), Map.of(), management,
                data);
    }

    @Test
    void managementAndDataListsNameUplinks() {
        assertEquals(List.of(), pointers(paths(Optional.of(List.of("eth0")), Optional.of(List.of()))));
        List<ValidationError> errors = new UplinkValidator().validate(document(paths(
                Optional.of(List.of("eth0", "eth2")), Optional.of(List.of("eth9", "eth0")))));
        assertEquals(List.of("/uplink/management/1", "/uplink/data/0"),
                errors.stream().map(ValidationError::pointer).toList());
        assertEquals("port eth2 is offline, not an uplink", errors.get(0).message());
        assertEquals("no port eth9 in this document", errors.get(1).message());
    }

    @Test
    void aDocumentWhereNoUplinkMayCarryManagementIsRefused() {
        List<ValidationError> errors = new UplinkValidator().validate(document(paths(Optional.of(List.of()),
                Optional.empty())));
        assertEquals(List.of("/uplink/management"), errors.stream().map(ValidationError::pointer).toList());
        assertEquals("no uplink may carry management: the gateway could never be reached; name at least one uplink, "
                + "or leave the list out (every uplink)", errors.get(0).message());
    }
}
