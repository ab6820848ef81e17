package io.isthmus.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.config.Ipv4Config;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.config.RouteConfig;
import io.isthmus.api.config.UplinkConfig;
import io.isthmus.api.linux.KernelChange;
import io.isthmus.api.linux.Link;
import io.isthmus.api.linux.Nexthop;
import io.isthmus.api.linux.Route;
import io.isthmus.api.linux.Rule;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortRole;
import io.isthmus.api.net.PortStatus;
import io.isthmus.api.uplink.UplinkSelection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RoutingPlanTest {
    static Ipv4Cidr cidr(String s) {
        return Ipv4Cidr.parse(s).orElseThrow();
    }

    static Optional<Ipv4Address> ip(String s) {
        return Ipv4Address.parse(s);
    }

    final Map<String, PortConfig> ports = new LinkedHashMap<>();
    final Map<String, PortStatus> status = new LinkedHashMap<>();
    final Map<String, Link> links = new LinkedHashMap<>();

    void port(String name, int ifindex, PortRole role, int cost, String address, Optional<Ipv4Address> gw,
            boolean carrier) {
        ports.put(name, new PortConfig(PortKind.ETHERNET, role, cost, new Ipv4Config.Static(cidr(address), gw),
                Optional.empty(), Optional.empty(), List.of(), Map.of()));
        status.put(name, new PortStatus(name, PortKind.ETHERNET, role, cost, true, carrier, List.of(cidr(address)), gw,
                List.of(), Optional.of(1500), Optional.empty(), 0, 0, Optional.empty()));
        links.put(name, new Link(name, ifindex, true, carrier, carrier ? "UP" : "DOWN", "02:00:00:00:00:0" + ifindex,
                1500, 0, 0));
    }

    /** The x86-industrial shape: wired and cellular uplinks, a DMZ, an offline OT network. */
    void x86() {
        port("eth0", 2, PortRole.UPLINK, 0, "100.64.1.10/24", ip("100.64.1.1"), true);
        port("wwan0", 3, PortRole.UPLINK, 100, "100.65.1.10/24", ip("100.65.1.1"), true);
        port("eth1", 4, PortRole.DMZ, 0, "192.168.50.1/24", Optional.empty(), true);
        port("eth2", 5, PortRole.OFFLINE, 0, "10.20.0.1/24", Optional.empty(), true);
    }

    RoutingPlan plan(List<RouteConfig> routes) {
        return RoutingPlan.of(ports, routes, status, links);
    }

    static List<Route> inTable(RoutingPlan p, int table) {
        return p.routes().stream().filter(r -> r.table() == table).toList();
    }

    @Test
    void defaultRouteViaTheCheapestUplinkWithCarrier() {
        x86();
        RoutingPlan p = plan(List.of());
        assertEquals(Optional.of("eth0"), p.defaultUplink());
        assertTrue(p.routes().stream().anyMatch(r -> r.table() == Route.MAIN_TABLE && r.isDefault()
                && r.gateway().equals(ip("100.64.1.1")) && r.device().equals(Optional.of("eth0"))));
        port("eth0", 2, PortRole.UPLINK, 0, "100.64.1.10/24", ip("100.64.1.1"), false); // cable pulled
        RoutingPlan failed = plan(List.of());
        assertEquals(Optional.of("wwan0"), failed.defaultUplink());
        assertEquals(1, failed.routes().stream().filter(r -> r.table() == Route.MAIN_TABLE && r.isDefault()).count());
    }

    @Test
    void theOfflineTableReachesTheInsideNetworksButNoUplink() {
        x86();
        List<Route> ot = inTable(plan(List.of()), 1005);
        assertTrue(ot.stream().anyMatch(r -> r.destination().equals(Optional.of(cidr("192.168.50.0/24")))
                && r.device().equals(Optional.of("eth1"))), "answers to a DMZ client of an OT server: " + ot);
        assertFalse(ot.stream().anyMatch(r -> r.device().equals(Optional.of("eth0"))
                || r.device().equals(Optional.of("wwan0"))), ot.toString());
    }

    static List<Route> mainDefaults(RoutingPlan p) {
        return p.routes().stream().filter(r -> r.table() == Route.MAIN_TABLE && r.isDefault()).toList();
    }

    @Test
    void theUplinkManagersSelectionOverridesCost() {
        x86();
        RoutingPlan p = RoutingPlan.of(ports, List.of(), status, links, List.of(new UplinkSelection.Weighted("wwan0", 1)));
        assertEquals(Optional.of("wwan0"), p.defaultUplink(), "eth0 is cheaper but its upstream is dead");
        assertEquals(List.of(new Route(Route.MAIN_TABLE, Optional.empty(), Route.Type.UNICAST, ip("100.65.1.1"),
                Optional.of("wwan0"), 0, Optional.empty(), Route.ISTHMUS_PROTOCOL)), mainDefaults(p));
    }

    @Test
    void equalCostsShareOneMultipathDefaultRoute() {
        x86();
        RoutingPlan p = RoutingPlan.of(ports, List.of(), status, links, List.of(new UplinkSelection.Weighted("eth0", 1),
                new UplinkSelection.Weighted("wwan0", 2)));
        assertEquals(List.of(Route.multipath(Route.MAIN_TABLE, Optional.empty(), 0, List.of(
                new Nexthop(ip("100.64.1.1").orElseThrow(), "eth0", 1),
                new Nexthop(ip("100.65.1.1").orElseThrow(), "wwan0", 2)))), mainDefaults(p));
        assertEquals("1", p.sysctls().get("net.ipv4.fib_multipath_hash_policy"), "flows, not host pairs");
        // read back as the kernel shows it: nothing to write
        List<KernelChange> again = RoutingDiff.changes(p, List.copyOf(p.routes()), List.copyOf(p.rules()), Map.of(),
                List.of());
        assertEquals(List.of(), again);
    }

    @Test
    void aSelectedUplinkWithoutCarrierIsLeftOutAndAnEmptySelectionFallsBackToCarrier() {
        x86();
        port("eth0", 2, PortRole.UPLINK, 0, "100.64.1.10/24", ip("100.64.1.1"), false); // pulled before the manager knew
        RoutingPlan p = RoutingPlan.of(ports, List.of(), status, links, List.of(new UplinkSelection.Weighted("eth0", 1),
                new UplinkSelection.Weighted("wwan0", 1)));
        assertEquals(Optional.of("wwan0"), p.defaultUplink());
        assertEquals(1, mainDefaults(p).size());
        assertTrue(mainDefaults(p).get(0).nexthops().isEmpty(), "one path left: a plain route");
        RoutingPlan none = RoutingPlan.of(ports, List.of(), status, links, List.of(new UplinkSelection.Weighted("eth0",
                1)));
        assertEquals(Optional.of("wwan0"), none.defaultUplink(), "nothing selected is usable: carrier decides");
    }

    @Test
    void offlinePortNeverHasADefaultRouteAndIsItsOwnIsland() {
        x86();
        // even if a driver reported a gateway on the offline port, it must not be used
        port("eth2", 5, PortRole.OFFLINE, 0, "10.20.0.1/24", ip("10.20.0.254"), true);
        RoutingPlan p = plan(List.of());
        int t = p.tables().get("eth2");
        List<Route> offline = inTable(p, t);
        assertTrue(offline.stream().filter(Route::isDefault).allMatch(r -> r.type() == Route.Type.UNREACHABLE),
                offline.toString());
        assertTrue(p.routes().stream().noneMatch(r -> r.isDefault() && r.type() == Route.Type.UNICAST
                && r.device().equals(Optional.of("eth2"))));
        assertTrue(p.rules().contains(new Rule(RoutingPlan.PREF_OFFLINE_IIF + 3, Optional.empty(), Optional.of("eth2"),
                t, Route.ISTHMUS_PROTOCOL)), "priority from the port's place in the document");
        assertEquals("0", p.sysctls().get("net.ipv6.conf.eth2.accept_ra_defrtr"));
    }

    @Test
    void trafficFromUplinksSeesOnlyTheDmz() {
        x86();
        RoutingPlan p = plan(List.of());
        List<Route> in = inTable(p, RoutingPlan.UPLINK_IN_TABLE);
        assertTrue(in.stream().anyMatch(r -> r.destination().equals(Optional.of(cidr("192.168.50.0/24")))));
        assertTrue(in.stream().noneMatch(r -> r.destination().equals(Optional.of(cidr("10.20.0.0/24")))));
        assertTrue(in.stream().filter(Route::isDefault).allMatch(r -> r.type() == Route.Type.UNREACHABLE));
        assertTrue(p.rules().stream().anyMatch(r -> r.inputInterface().equals(Optional.of("eth0"))
                && r.table() == RoutingPlan.UPLINK_IN_TABLE));
        assertEquals("1", p.sysctls().get("net.ipv4.ip_forward"));
    }

    @Test
    void ownTrafficLeavesThroughThePortItIsSourcedFrom() {
        x86();
        RoutingPlan p = plan(List.of());
        int wwan = p.tables().get("wwan0");
        assertTrue(p.rules().stream().anyMatch(r -> r.from().equals(Optional.of(cidr("100.65.1.10/32")))
                && r.table() == wwan));
        assertTrue(inTable(p, wwan).stream().anyMatch(r -> r.isDefault() && r.gateway().equals(ip("100.65.1.1"))));
    }

    @Test
    void staticRoutesGoToMainAndToTheirPortsTable() {
        x86();
        RouteConfig good = new RouteConfig(cidr("192.168.20.0/24"), ip("192.168.50.254"), Optional.of("eth1"), 100);
        RouteConfig worse = new RouteConfig(cidr("192.168.20.0/24"), ip("10.20.0.254"), Optional.empty(), 200);
        RoutingPlan p = plan(List.of(good, worse));
        List<Route> main = inTable(p, Route.MAIN_TABLE).stream()
                .filter(r -> r.destination().equals(Optional.of(cidr("192.168.20.0/24")))).toList();
        assertEquals(2, main.size());
        assertTrue(main.stream().anyMatch(r -> r.metric() == 200 && r.device().equals(Optional.of("eth2"))),
                "interface found from the gateway's subnet");
        assertTrue(inTable(p, p.tables().get("eth1")).stream().anyMatch(r -> r.metric() == 100));
    }

    @Test
    void noForwardingWithoutSomethingToRoute() {
        port("eth0", 2, PortRole.UPLINK, 0, "100.64.1.10/24", ip("100.64.1.1"), true);
        port("eth2", 5, PortRole.OFFLINE, 0, "10.20.0.1/24", Optional.empty(), true);
        assertEquals("0", plan(List.of()).sysctls().get("net.ipv4.ip_forward"));
    }

    @Test
    void reapplyingWhatIsInTheKernelWritesNothing() {
        x86();
        RoutingPlan p = plan(List.of());
        // the kernel shows our routes with details we do not set (source), and routes of others
        List<Route> observed = new ArrayList<>();
        p.routes().forEach(r -> observed.add(new Route(r.table(), r.destination(), r.type(), r.gateway(),
                r.device(), r.metric(), ip("100.64.1.10"), Route.ISTHMUS_PROTOCOL)));
        observed.add(new Route(Route.MAIN_TABLE, Optional.of(cidr("100.64.1.0/24")), Route.Type.UNICAST,
                Optional.empty(), Optional.of("eth0"), 0, ip("100.64.1.10"), 2));
        Map<String, Optional<String>> sysctls = new LinkedHashMap<>();
        p.sysctls().forEach((k, v) -> sysctls.put(k, Optional.of(v + "\n")));
        assertEquals(List.of(), RoutingDiff.changes(p, observed, List.copyOf(p.rules()), sysctls,
                RoutingPlan.offlinePorts(ports)));
    }

    @Test
    void repairsDriftAndRemovesForeignDefaultOnOfflinePortOnly() {
        x86();
        RoutingPlan p = plan(List.of());
        List<Route> observed = new ArrayList<>(p.routes());
        Route lost = observed.stream().filter(r -> r.table() == RoutingPlan.UPLINK_IN_TABLE).findFirst().orElseThrow();
        observed.remove(lost);
        Route dhcpOnOffline = new Route(Route.MAIN_TABLE, Optional.empty(), Route.Type.UNICAST, ip("10.20.0.254"),
                Optional.of("eth2"), 1024, Optional.empty(), 16);
        Route foreignOnDmz = new Route(Route.MAIN_TABLE, Optional.of(cidr("172.16.0.0/12")), Route.Type.UNICAST,
                ip("192.168.50.9"), Optional.of("eth1"), 0, Optional.empty(), 4);
        observed.add(dhcpOnOffline);
        observed.add(foreignOnDmz);
        List<Rule> rules = new ArrayList<>(p.rules());
        Rule lostRule = rules.remove(0);
        List<KernelChange> changes = RoutingDiff.changes(p, observed, rules, Map.of(),
                RoutingPlan.offlinePorts(ports));
        assertTrue(changes.contains(new KernelChange.ReplaceRoute(lost)));
        assertTrue(changes.contains(new KernelChange.AddRule(lostRule)));
        assertTrue(changes.contains(new KernelChange.RemoveRoute(dhcpOnOffline)));
        assertFalse(changes.contains(new KernelChange.RemoveRoute(foreignOnDmz)));
        assertEquals(3, changes.size(), changes.toString());
    }

    @Test
    void switchingUplinkReplacesTheDefaultInOneOperation() {
        x86();
        RoutingPlan before = plan(List.of());
        port("eth0", 2, PortRole.UPLINK, 0, "100.64.1.10/24", ip("100.64.1.1"), false);
        RoutingPlan after = plan(List.of());
        List<KernelChange> changes = RoutingDiff.changes(after, List.copyOf(before.routes()),
                List.copyOf(before.rules()), Map.of(), List.of());
        assertEquals(1, changes.size(), changes.toString());
        KernelChange.ReplaceRoute replace = (KernelChange.ReplaceRoute) changes.get(0);
        assertEquals(Optional.of("wwan0"), replace.route().device());
        assertTrue(replace.route().isDefault());
    }

    @Test
    void aNewLeaseOnOnePortDoesNotRenumberTheOthersRules() {
        x86();
        port("eth0", 2, PortRole.UPLINK, 0, "100.64.1.10/24", Optional.empty(), true);
        status.put("eth0", new PortStatus("eth0", PortKind.ETHERNET, PortRole.UPLINK, 0, true, true, List.of(),
                Optional.empty(), List.of(), Optional.of(1500), Optional.empty(), 0, 0, Optional.empty()));
        RoutingPlan waiting = plan(List.of());
        port("eth0", 2, PortRole.UPLINK, 0, "100.64.1.10/24", ip("100.64.1.1"), true);
        RoutingPlan leased = plan(List.of());
        List<KernelChange> changes = RoutingDiff.changes(leased, List.copyOf(waiting.routes()),
                List.copyOf(waiting.rules()), Map.of(), List.of());
        assertTrue(changes.stream().noneMatch(c -> c instanceof KernelChange.RemoveRule), changes.toString());
        assertEquals(1, changes.stream().filter(c -> c instanceof KernelChange.AddRule).count(), changes.toString());
    }

    @Test
    void whileADriverIsAwayItsPortsKeepTheirRoutesAndRules() {
        x86();
        RoutingPlan before = plan(List.of());
        status.clear(); // the Ethernet driver bundle is being updated: nobody reports on the ports
        RoutingPlan during = plan(List.of());
        List<KernelChange> changes = RoutingDiff.changes(during, List.copyOf(before.routes()),
                List.copyOf(before.rules()), Map.of(), List.of());
        assertTrue(changes.stream().noneMatch(c -> c instanceof KernelChange.RemoveRoute
                || c instanceof KernelChange.RemoveRule), changes.toString());
    }

    static UplinkConfig usage(Optional<List<String>> management, Optional<List<String>> data) {
        UplinkConfig d = UplinkConfig.defaults();
        return new UplinkConfig(d.probe(), d.equalCost(), d.minDwellMs(), d.costly(), Map.of(), Map.of(), management,
                data);
    }

    static List<UplinkSelection.Weighted> sel(String... ports) {
        return java.util.Arrays.stream(ports).map(p -> new UplinkSelection.Weighted(p, 1)).toList();
    }

    Route defaultVia(int table, String gateway, String dev) {
        return new Route(table, Optional.empty(), Route.Type.UNICAST, ip(gateway), Optional.of(dev), 0,
                Optional.empty(), Route.ISTHMUS_PROTOCOL);
    }

    @Test
    void splitPathsSendTheGatewaysOwnTrafficAndTheInsideTrafficThroughTheirOwnUplinks() {
        x86();
        port("eth3", 6, PortRole.LAN, 0, "192.168.60.1/24", Optional.empty(), true);
        RoutingPlan p = RoutingPlan.of(ports, List.of(), status, links, sel("wwan0"), sel("eth0"),
                usage(Optional.of(List.of("wwan0")), Optional.of(List.of("eth0"))));
        assertEquals(Optional.of("wwan0"), p.defaultUplink(), "main: the management path");
        assertEquals(Optional.of("eth0"), p.dataUplink());
        assertEquals(List.of(defaultVia(Route.MAIN_TABLE, "100.65.1.1", "wwan0")), inTable(p, Route.MAIN_TABLE));
        assertEquals(java.util.Set.of(defaultVia(RoutingPlan.DATA_TABLE, "100.64.1.1", "eth0"),
                new Route(RoutingPlan.DATA_TABLE, Optional.empty(), Route.Type.UNREACHABLE, Optional.empty(),
                        Optional.empty(), RoutingPlan.UNREACHABLE_METRIC, Optional.empty(), Route.ISTHMUS_PROTOCOL)),
                java.util.Set.copyOf(inTable(p, RoutingPlan.DATA_TABLE)));
        // eth1 (dmz) is port 2, eth3 (lan) port 4 of the document; the offline port eth2 gets none
        List<Rule> inside = p.rules().stream().filter(r -> r.priority() >= RoutingPlan.PREF_DATA)
                .sorted(java.util.Comparator.comparingInt(Rule::priority)).toList();
        assertEquals(List.of(
                new Rule(3004, Optional.empty(), Optional.of("eth1"), Route.MAIN_TABLE, 73, Optional.of(0)),
                new Rule(3005, Optional.empty(), Optional.of("eth1"), RoutingPlan.DATA_TABLE, 73),
                new Rule(3008, Optional.empty(), Optional.of("eth3"), Route.MAIN_TABLE, 73, Optional.of(0)),
                new Rule(3009, Optional.empty(), Optional.of("eth3"), RoutingPlan.DATA_TABLE, 73)), inside);
    }

    @Test
    void withoutADataUplinkTheInsideNetworksHaveNoWayOutNotEvenTheManagementOne() {
        x86();
        port("eth0", 2, PortRole.UPLINK, 0, "100.64.1.10/24", ip("100.64.1.1"), false); // wired cable pulled
        UplinkConfig split = usage(Optional.of(List.of("wwan0")), Optional.of(List.of("eth0")));
        RoutingPlan p = RoutingPlan.of(ports, List.of(), status, links, sel("wwan0"), sel(), split);
        assertEquals(Optional.empty(), p.dataUplink());
        assertEquals(List.of(Route.Type.UNREACHABLE), inTable(p, RoutingPlan.DATA_TABLE).stream().map(Route::type)
                .toList(), "no fallback onto the management-only uplink");
        RoutingPlan noManager = RoutingPlan.of(ports, List.of(), status, links, sel(), sel(), split);
        assertEquals(Optional.of("wwan0"), noManager.defaultUplink(), "carrier fallback among management uplinks");
        assertEquals(Optional.empty(), noManager.dataUplink(), "carrier fallback among data uplinks: none");
        port("eth0", 2, PortRole.UPLINK, 0, "100.64.1.10/24", ip("100.64.1.1"), true);
        port("wwan0", 3, PortRole.UPLINK, 100, "100.65.1.10/24", ip("100.65.1.1"), false);
        RoutingPlan cellDown = RoutingPlan.of(ports, List.of(), status, links, sel(), sel("eth0"), split);
        assertEquals(Optional.empty(), cellDown.defaultUplink(), "management never takes the data-only uplink");
        assertTrue(inTable(cellDown, Route.MAIN_TABLE).isEmpty());
    }

    @Test
    void listsThatDoNotSplitThePathsWriteNothingNew() {
        x86();
        RoutingPlan today = RoutingPlan.of(ports, List.of(), status, links, sel("eth0"));
        RoutingPlan listed = RoutingPlan.of(ports, List.of(), status, links, sel("eth0"), sel("eth0"),
                usage(Optional.of(List.of("eth0", "wwan0")), Optional.empty()));
        assertEquals(today, listed, "every uplink may carry both: the kernel state of today");
        assertTrue(listed.rules().stream().noneMatch(r -> r.priority() >= RoutingPlan.PREF_DATA));
    }

    @Test
    void joiningAndLeavingTheSplitAddsAndRemovesOnlyTheDataRulesAndTable() {
        x86();
        RoutingPlan one = RoutingPlan.of(ports, List.of(), status, links, sel("eth0"));
        RoutingPlan split = RoutingPlan.of(ports, List.of(), status, links, sel("eth0"), sel("eth0"),
                usage(Optional.of(List.of("eth0", "wwan0")), Optional.of(List.of("eth0"))));
        List<KernelChange> in = RoutingDiff.changes(split, List.copyOf(one.routes()), List.copyOf(one.rules()),
                Map.of(), List.of());
        assertEquals(4, in.size(), "two rules for the DMZ, the data default and its unreachable: " + in);
        List<KernelChange> out = RoutingDiff.changes(one, List.copyOf(split.routes()), List.copyOf(split.rules()),
                Map.of(), List.of());
        assertEquals(4, out.size(), out.toString());
        assertTrue(out.stream().allMatch(c -> c instanceof KernelChange.RemoveRoute
                || c instanceof KernelChange.RemoveRule), out.toString());
        assertEquals(List.of(), RoutingDiff.changes(split, List.copyOf(split.routes()), List.copyOf(split.rules()),
                Map.of(), List.of()), "the suppress_prefixlength rule reads back as written");
    }
}
