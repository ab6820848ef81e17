package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Route;
import io.isthmus.api.linux.Rule;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class RouteJsonTest {
    private final RouteJson parser = new RouteJson(new IpJson(), IprouteNames.builtin());

    private static Ipv4Address ip(String s) {
        return Ipv4Address.parse(s).orElseThrow();
    }

    private static Optional<Ipv4Cidr> cidr(String s) {
        return Optional.of(Ipv4Cidr.parse(s).orElseThrow());
    }

    private static Route find(List<Route> routes, int table, Optional<Ipv4Cidr> dst, Route.Type type) {
        return routes.stream().filter(r -> r.table() == table && r.destination().equals(dst) && r.type() == type)
                .findFirst().orElseThrow(() -> new AssertionError("no " + type + " " + dst + " in table " + table));
    }

    /** Named (plain ip -j) and numeric (ip -d -N -j) output of the same state parse to the same routes. */
    @ParameterizedTest
    @ValueSource(strings = {"route-named.json", "route-numeric.json"})
    void routesOfEveryTable(String file) throws KernelException {
        List<Route> routes = parser.routes(Captured.read(file));

        assertEquals(new Route(254, Optional.empty(), Route.Type.UNICAST, Optional.of(ip("192.168.50.254")),
                Optional.of("va"), 100, Optional.empty(), 3), find(routes, 254, Optional.empty(), Route.Type.UNICAST),
                "a main-table default route added without proto is boot (3)");
        assertEquals(new Route(100, Optional.empty(), Route.Type.UNICAST, Optional.of(ip("10.20.0.254")),
                Optional.of("vb"), 10, Optional.empty(), 73), find(routes, 100, Optional.empty(), Route.Type.UNICAST));

        Route unreachable = find(routes, 100, Optional.empty(), Route.Type.UNREACHABLE);
        assertEquals(4278198272L, Integer.toUnsignedLong(unreachable.metric()), "u32 metric kept bit for bit");
        assertTrue(unreachable.ownedByIsthmus());
        assertTrue(unreachable.device().isEmpty() && unreachable.gateway().isEmpty());

        Route host = find(routes, 254, cidr("192.168.21.5/32"), Route.Type.UNICAST);
        assertEquals(Optional.of(ip("192.168.50.1")), host.source(), "prefsrc");
        assertEquals(0, host.metric());
        assertEquals(73, host.protocol());

        assertEquals(4, find(routes, 200, cidr("10.30.0.0/16"), Route.Type.UNICAST).protocol(), "static");
        assertEquals(16, find(routes, 254, cidr("10.97.0.0/16"), Route.Type.UNICAST).protocol(), "dhcp");
        assertEquals(2, find(routes, 254, cidr("192.168.50.0/24"), Route.Type.UNICAST).protocol(), "kernel");
        find(routes, 200, cidr("10.99.0.0/16"), Route.Type.BLACKHOLE);
        find(routes, 254, cidr("10.98.0.0/16"), Route.Type.PROHIBIT);

        assertFalse(routes.stream().anyMatch(r -> r.table() == 255 || r.type() == Route.Type.LOCAL
                || r.type() == Route.Type.BROADCAST), "no local table entries");
        assertEquals(12, routes.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"rule-named.json", "rule-numeric.json"})
    void rulesWithFromAndIif(String file) throws KernelException {
        List<Rule> rules = parser.rules(Captured.read(file));
        assertEquals(7, rules.size());
        assertEquals(new Rule(1000, cidr("10.20.0.0/24"), Optional.empty(), 100, 73), rules.get(1));
        assertEquals(new Rule(1001, Optional.empty(), Optional.of("vb"), 200, 73), rules.get(2));
        Rule hostFrom = rules.get(3);
        assertEquals(cidr("192.168.50.1/32"), hostFrom.from(), "a bare src is a /32");
        assertEquals(Optional.of("va"), hostFrom.inputInterface());
        assertEquals(100, hostFrom.table());
        assertFalse(hostFrom.ownedByIsthmus());
        assertEquals(255, rules.get(0).table());
        assertEquals(254, rules.get(5).table());
        assertEquals(253, rules.get(6).table());
    }

    @Test
    void ruleThatSuppressesTheDefaultRoute() throws KernelException {
        // as iproute2 6.1 prints `ip -d -N -j -4 rule show` of `ip rule add pref 3000 iif eth1 lookup main
        // suppress_prefixlength 0 protocol 73`
        List<Rule> rules = parser.rules("[{\"priority\":3000,\"src\":\"all\",\"iif\":\"eth1\",\"table\":\"254\","
                + "\"suppress_prefixlen\":0,\"protocol\":\"73\"},{\"priority\":3001,\"src\":\"all\",\"iif\":\"eth1\","
                + "\"table\":\"998\",\"protocol\":\"73\"}]");
        assertEquals(List.of(new Rule(3000, Optional.empty(), Optional.of("eth1"), 254, 73, Optional.of(0)),
                new Rule(3001, Optional.empty(), Optional.of("eth1"), 998, 73)), rules);
    }

    @Test
    void numericRulesCarryEveryProtocol() throws KernelException {
        List<Rule> rules = parser.rules(Captured.read("rule-numeric.json"));
        assertEquals(2, rules.get(0).protocol(), "the kernel's own rules");
        assertEquals(0, rules.get(3).protocol(), "added without protocol: unspec");
    }

    @Test
    void tableAndProtocolNamesFromIproute2Files() throws Exception {
        java.nio.file.Path etc = java.nio.file.Files.createTempDirectory("iproute2");
        try {
            java.nio.file.Files.writeString(etc.resolve("rt_protos"), "# comment\n73\tisthmus\n");
            java.nio.file.Files.createDirectories(etc.resolve("rt_tables.d"));
            java.nio.file.Files.writeString(etc.resolve("rt_tables.d").resolve("x.conf"), "0x64 uplink0 # hex\n");
            RouteJson named = new RouteJson(new IpJson(), IprouteNames.load(etc));
            List<Route> routes = named.routes(
                    "[{\"dst\":\"default\",\"dev\":\"va\",\"table\":\"uplink0\",\"protocol\":\"isthmus\",\"flags\":[]}]");
            assertEquals(100, routes.get(0).table());
            assertTrue(routes.get(0).ownedByIsthmus());
        } finally {
            try (var files = java.nio.file.Files.walk(etc)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void unknownNamesAndBrokenJsonAreErrors() {
        assertThrows(KernelException.class,
                () -> parser.routes("[{\"dst\":\"default\",\"dev\":\"va\",\"protocol\":\"nosuchproto\"}]"));
        assertThrows(KernelException.class, () -> parser.routes("[{\"dst\":\"10.0.0.0/33\"}]"));
        assertThrows(KernelException.class, () -> parser.routes("{\"not\":\"an array\"}"));
        assertThrows(KernelException.class, () -> parser.rules("[{\"priority\":1,"));
    }

    @Test
    void emptyOutputIsNoRoutes() throws KernelException {
        assertEquals(List.of(), parser.routes(""));
        assertEquals(List.of(), parser.routes("[]\n"));
    }
}
