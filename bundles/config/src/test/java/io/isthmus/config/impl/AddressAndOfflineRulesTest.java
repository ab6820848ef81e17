package io.isthmus.config.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.isthmus.api.config.ValidationError;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Addresses that can never be a host's (loopback, 0/8, multicast, broadcast, a subnet's network and broadcast
 * address as a gateway), routes through an offline port that reach public address space, and control characters
 * in the MQTT user name: each found by an outside review as accepted, each now reported at its pointer.
 */
class AddressAndOfflineRulesTest {
    private static final String PORTS = "'ports': {"
            + "'eth0': {'kind': 'ethernet', 'role': 'uplink', 'ipv4': {'method': 'dhcp'}},"
            + "'eth1': {'kind': 'ethernet', 'role': 'dmz', 'ipv4': {'method': 'static', 'address': '192.168.50.1/24'}},"
            + "'eth2': {'kind': 'ethernet', 'role': 'offline', 'ipv4': {'method': 'static', 'address': '10.20.0.1/24'}}}";

    private final DocumentParser parser = Readers.parser(DeviceProfile.empty());

    private static String withPorts(String sections) {
        return Json.of("{" + PORTS + ", " + sections + "}");
    }

    private static String staticPort(String role, String ipv4) {
        return Json.of("{'ports': {'eth1': {'kind': 'ethernet', 'role': '" + role + "', 'ipv4': {'method': 'static', "
                + ipv4 + "}}}}");
    }

    private static String routes(String... routes) {
        return withPorts("'routes': [" + String.join(", ", routes) + "]");
    }

    static Stream<Arguments> rejected() {
        return Stream.of(
                arguments("loopback port address", staticPort("dmz", "'address': '127.0.0.1/8'"),
                        List.of("/ports/eth1/ipv4/address"), "127.0.0.1 is a loopback address"),
                arguments("port address in 0/8", staticPort("dmz", "'address': '0.1.2.3/24'"),
                        List.of("/ports/eth1/ipv4/address"), "is in 0.0.0.0/8"),
                arguments("multicast port address", staticPort("dmz", "'address': '224.0.2.1/24'"),
                        List.of("/ports/eth1/ipv4/address"), "is a multicast address"),
                arguments("broadcast port address", staticPort("dmz", "'address': '255.255.255.255/32'"),
                        List.of("/ports/eth1/ipv4/address"), "limited broadcast"),
                arguments("uplink gateway is the network address", staticPort("uplink",
                        "'address': '192.0.2.10/24', 'gateway': '192.0.2.0'"),
                        List.of("/ports/eth1/ipv4/gateway"), "gateway 192.0.2.0 is the network address of 192.0.2.0/24"),
                arguments("uplink gateway is the broadcast address", staticPort("uplink",
                        "'address': '192.0.2.10/24', 'gateway': '192.0.2.255'"),
                        List.of("/ports/eth1/ipv4/gateway"), "is the broadcast address of 192.0.2.0/24"),
                arguments("uplink gateway on loopback", staticPort("uplink",
                        "'address': '192.0.2.10/24', 'gateway': '127.0.0.1'"),
                        List.of("/ports/eth1/ipv4/gateway"), "loopback"),
                arguments("route gateway is its subnet's broadcast address",
                        routes("{'destination': '192.168.20.0/24', 'gateway': '192.168.50.255', 'interface': 'eth1'}"),
                        List.of("/routes/0/gateway"), "is the broadcast address of 192.168.50.0/24"),
                arguments("route gateway is its subnet's network address (found by subnet)",
                        routes("{'destination': '192.168.20.0/24', 'gateway': '192.168.50.0'}"),
                        List.of("/routes/0/gateway"), "is the network address of 192.168.50.0/24"),
                arguments("route gateway on loopback",
                        routes("{'destination': '192.168.20.0/24', 'gateway': '127.0.0.1'}"),
                        List.of("/routes/0/gateway"), "loopback"),
                arguments("a default route in all but name through the offline port",
                        routes("{'destination': '0.0.0.0/1', 'interface': 'eth2'}",
                                "{'destination': '128.0.0.0/1', 'gateway': '10.20.0.254'}"),
                        List.of("/routes/0/destination", "/routes/1/destination"),
                        "0.0.0.0/1 reaches beyond private address space; a route through offline port eth2 must lie "
                                + "inside one of 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, 169.254.0.0/16"),
                arguments("a public network through the offline port",
                        routes("{'destination': '8.8.8.0/24', 'gateway': '10.20.0.254', 'interface': 'eth2'}"),
                        List.of("/routes/0/destination"), "8.8.8.0/24 reaches beyond private address space"),
                arguments("a private supernet through the offline port",
                        routes("{'destination': '10.0.0.0/7', 'interface': 'eth2'}"),
                        List.of("/routes/0/destination"), "10.0.0.0/7 reaches beyond private address space"),
                arguments("port forward to loopback", withPorts("'firewall': {'portForwards': [{'from': 'eth0', "
                        + "'protocol': 'tcp', 'port': 8080, 'toAddress': '127.0.0.1'}]}"),
                        List.of("/firewall/portForwards/0/toAddress"), "127.0.0.1 is a loopback address"),
                arguments("port forward to the broadcast address", withPorts("'firewall': {'portForwards': [{'from': "
                        + "'eth0', 'protocol': 'udp', 'port': 8080, 'toAddress': '255.255.255.255'}]}"),
                        List.of("/firewall/portForwards/0/toAddress"), "limited broadcast"),
                arguments("MQTT user name with a newline", Json.of("{'management': {'username': 'gw\\nadmin'}}"),
                        List.of("/management/username"), "no control characters"),
                arguments("MQTT user name with a tab", Json.of("{'management': {'username': 'gw\\tadmin'}}"),
                        List.of("/management/username"), "no control characters"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejectedAtThePointer(String rule, String json, List<String> pointers, String message) {
        Validated result = parser.parse(json, Set.of());

        assertEquals(pointers, result.errors().stream().map(ValidationError::pointer).toList(),
                () -> result.errors().toString());
        assertTrue(result.errors().stream().anyMatch(e -> e.message().contains(message)),
                () -> "no message containing <" + message + "> in " + result.errors());
        assertTrue(result.document().isEmpty());
    }

    @Test
    void privateCgnAndLinkLocalNetworksMayBeRoutedThroughTheOfflinePort() {
        Validated result = parser.parse(routes(
                "{'destination': '10.30.0.0/16', 'gateway': '10.20.0.254'}",
                "{'destination': '172.16.0.0/12', 'interface': 'eth2'}",
                "{'destination': '192.168.60.0/24', 'gateway': '10.20.0.254', 'interface': 'eth2'}",
                "{'destination': '100.64.0.0/10', 'interface': 'eth2'}",
                "{'destination': '169.254.10.0/24', 'interface': 'eth2'}",
                "{'destination': '8.8.8.0/24', 'gateway': '192.168.50.254'}"), Set.of());

        assertEquals(List.of(), result.errors());
    }

    @Test
    void ordinaryAddressesStayAccepted() {
        Validated result = parser.parse(Json.of("{'ports': {"
                + "'eth0': {'kind': 'ethernet', 'role': 'uplink', 'ipv4': {'method': 'static', "
                + "'address': '192.0.2.10/24', 'gateway': '192.0.2.1'}},"
                + "'eth1': {'kind': 'ethernet', 'role': 'uplink', 'ipv4': {'method': 'static', "
                + "'address': '198.51.100.1/31', 'gateway': '198.51.100.0'}}},"
                + "'management': {'username': 'gw-0001 (plant A)'}}"), Set.of());

        assertEquals(List.of(), result.errors());
    }
}
