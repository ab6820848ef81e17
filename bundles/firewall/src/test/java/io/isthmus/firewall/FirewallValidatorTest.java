package io.isthmus.firewall;

import static io.isthmus.firewall.Docs.firewall;
import static io.isthmus.firewall.Docs.forward;
import static io.isthmus.firewall.Docs.conduit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.config.FirewallConfig;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.RouteConfig;
import io.isthmus.api.config.ValidationError;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FirewallValidatorTest {
    final FirewallValidator validator = new FirewallValidator();

    @Test
    void overlappingPortForwardsAreRejectedAtTheLaterOne() {
        List<ValidationError> errors = validator.validate(Docs.lab(firewall(List.of(), List.of(
                forward(8443, "192.168.50.10", 443, List.of()), forward(8080, "192.168.50.11", 80, List.of()),
                forward(8443, "192.168.50.12", 443, List.of())))));
        assertEquals(List.of("/firewall/portForwards/2/port"), errors.stream().map(ValidationError::pointer).toList());
    }

    @Test
    void aPortForwardIntoTheOfflineNetworkIsRejected() {
        List<ValidationError> errors = validator.validate(Docs.lab(firewall(List.of(), List.of(
                forward(502, "10.20.0.10", 502, List.of())))));
        assertEquals(List.of("/firewall/portForwards/0/toAddress"), errors.stream().map(ValidationError::pointer)
                .toList());
    }

    @Test
    void aPortForwardToAHostRoutedThroughTheOfflinePortIsRejected() {
        NetworkDocument lab = Docs.lab(firewall(List.of(), List.of(forward(502, "10.30.0.10", 502, List.of()),
                forward(503, "10.40.0.10", 502, List.of()), forward(504, "192.168.60.10", 502, List.of()))));
        NetworkDocument doc = new NetworkDocument(lab.ports(), List.of(
                route("10.30.0.0/16", Optional.empty(), Optional.of("eth2")),
                route("10.40.0.0/16", Optional.of("10.20.0.254"), Optional.empty()),
                route("192.168.60.0/24", Optional.of("192.168.50.254"), Optional.empty())), lab.uplink(),
                lab.firewall(), lab.multicast(), lab.dns(), lab.management(), lab.extensions());
        List<ValidationError> errors = validator.validate(doc);
        assertEquals(List.of("/firewall/portForwards/0/toAddress", "/firewall/portForwards/1/toAddress"),
                errors.stream().map(ValidationError::pointer).toList());
        assertTrue(errors.get(1).message().contains("10.40.0.10 is in 10.40.0.0/16, routed through offline port eth2"),
                errors.toString());
    }

    @Test
    void aConduitFromAnUplinkIntoTheOfflineNetworkIsRejectedByPortZoneOrRole() {
        FirewallConfig f = new FirewallConfig(Map.of("isp", new FirewallConfig.Zone(List.of("eth0", "eth1")),
                "plant", new FirewallConfig.Zone(List.of("eth2"))), List.of(
                        conduit("uplink", "offline", "tcp", List.of("502"), List.of()),
                        conduit("isp", "plant", "any", List.of(), List.of()),
                        conduit("uplink", "dmz", "tcp", List.of("443"), List.of()),
                        conduit("offline", "uplink", "any", List.of(), List.of()),
                        conduit("dmz", "offline", "tcp", List.of("4840"), List.of())), List.of(), List.of());
        List<ValidationError> errors = validator.validate(Docs.lab(f));
        assertEquals(List.of("/firewall/conduits/0/to", "/firewall/conduits/1/to"),
                errors.stream().map(ValidationError::pointer).toList());
        assertTrue(errors.get(1).message().contains("lets uplink port eth0 into offline port eth2"), errors.toString());
    }

    static RouteConfig route(String destination, Optional<String> gateway, Optional<String> port) {
        return new RouteConfig(Ipv4Cidr.parse(destination).orElseThrow(),
                gateway.map(g -> Ipv4Address.parse(g).orElseThrow()), port, 100);
    }

    @Test
    void aValidDocumentHasNoErrors() {
        assertEquals(List.of(), validator.validate(Docs.lab(firewall(List.of(), List.of(
                forward(8443, "192.168.50.10", 443, List.of("203.0.113.0/24")))))));
    }
}
