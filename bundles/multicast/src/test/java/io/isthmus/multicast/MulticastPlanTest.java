package io.isthmus.multicast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isthmus.api.config.DnsConfig;
import io.isthmus.api.config.FirewallConfig;
import io.isthmus.api.config.Ipv4Config;
import io.isthmus.api.config.ManagementConfig;
import io.isthmus.api.config.MulticastConfig;
import io.isthmus.api.config.MulticastConfig.PassThrough;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.config.UplinkConfig;
import io.isthmus.api.config.ValidationError;
import io.isthmus.api.linux.MulticastRoute;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortRole;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MulticastPlanTest {
    static NetworkDocument doc(PassThrough... flows) {
        Map<String, PortConfig> ports = new LinkedHashMap<>();
        ports.put("eth0", port(PortRole.UPLINK));
        ports.put("eth1", port(PortRole.DMZ));
        ports.put("eth2", port(PortRole.OFFLINE));
        return new NetworkDocument(ports, List.of(), UplinkConfig.defaults(), FirewallConfig.empty(),
                new MulticastConfig(List.of(flows)), DnsConfig.empty(), ManagementConfig.empty(), Map.of());
    }

    static PortConfig port(PortRole role) {
        return new PortConfig(PortKind.ETHERNET, role, 0, new Ipv4Config.Dhcp(), Optional.empty(), Optional.empty(),
                List.of(), Map.of());
    }

    @Test
    void routedGroupsBecomeOneRoutePerInboundPortAndGroup() {
        MulticastPlan plan = MulticastPlan.of(doc(new PassThrough("224.0.2.14", 4840, "offline", List.of("eth1")),
                new PassThrough("224.0.2.14", 4841, "eth2", List.of("dmz"))));
        assertEquals(List.of(new MulticastRoute("eth2", Ipv4Address.parse("224.0.2.14").orElseThrow(),
                List.of("eth1"))), plan.routes());
        assertEquals(List.of(), plan.reflectorPorts());
    }

    @Test
    void mdnsIsReflectedNeverRouted() {
        MulticastPlan plan = MulticastPlan.of(doc(new PassThrough("224.0.0.251", 5353, "eth2", List.of("eth1"))));
        assertEquals(List.of(), plan.routes());
        assertEquals(List.of("eth2", "eth1"), plan.reflectorPorts());
    }

    @Test
    void linkLocalGroupsOtherThanMdnsAreRejectedWithPointers() {
        List<ValidationError> errors = new MulticastValidator().validate(doc(
                new PassThrough("224.0.0.22", 4840, "eth2", List.of("eth1")),
                new PassThrough("224.0.0.251", 4840, "eth2", List.of("eth1")),
                new PassThrough("224.0.2.14", 4840, "eth2", List.of("eth1"))));
        assertEquals(List.of("/multicast/passThrough/0/group", "/multicast/passThrough/1/port"),
                errors.stream().map(ValidationError::pointer).toList());
    }

    @Test
    void noFlowCrossesBetweenAnUplinkAndAnOfflinePortByPortZoneOrRole() {
        NetworkDocument plain = doc(
                new PassThrough("224.0.2.14", 4840, "eth0", List.of("eth2")),
                new PassThrough("224.0.2.14", 4840, "uplink", List.of("offline")),
                new PassThrough("224.0.2.14", 4840, "eth2", List.of("eth1", "eth0")),
                new PassThrough("224.0.2.14", 4840, "plant", List.of("eth1", "uplink")),
                new PassThrough("224.0.0.251", 5353, "offline", List.of("uplink")),
                new PassThrough("224.0.2.14", 4840, "eth2", List.of("eth1")),
                new PassThrough("224.0.2.14", 4840, "eth0", List.of("dmz")));
        // a zone of /firewall/zones names the offline port as well as its role does
        NetworkDocument withZone = new NetworkDocument(plain.ports(), plain.routes(), plain.uplink(),
                new FirewallConfig(Map.of("plant", new FirewallConfig.Zone(List.of("eth2"))), List.of(),
                        List.of(), List.of()), plain.multicast(), plain.dns(), plain.management(), plain.extensions());
        List<ValidationError> errors = new MulticastValidator().validate(withZone);
        assertEquals(List.of("/multicast/passThrough/0/to/0", "/multicast/passThrough/1/to/0",
                "/multicast/passThrough/2/to/1", "/multicast/passThrough/3/to/1", "/multicast/passThrough/4/to/0"),
                errors.stream().map(ValidationError::pointer).toList());
        assertEquals("passes uplink port eth0 into offline port eth2; a multicast flow never crosses between an "
                + "uplink and an offline network, in either direction", errors.get(0).message());
        assertEquals("passes offline port eth2 into uplink port eth0; a multicast flow never crosses between an "
                + "uplink and an offline network, in either direction", errors.get(2).message());
    }
}
