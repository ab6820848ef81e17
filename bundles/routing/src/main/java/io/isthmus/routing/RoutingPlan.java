package io.isthmus.routing;

import io.isthmus.api.config.PortConfig;
import io.isthmus.api.config.RouteConfig;
import io.isthmus.api.config.UplinkConfig;
import io.isthmus.api.linux.Link;
import io.isthmus.api.linux.Nexthop;
import io.isthmus.api.linux.Route;
import io.isthmus.api.linux.Rule;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.net.PortRole;
import io.isthmus.api.net.PortStatus;
import io.isthmus.api.uplink.UplinkSelection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The routes, rules and sysctls the gateway wants, as a pure function of the document and the ports'
 * status (EVE-style policy routing):
 *
 * <ul>
 * <li>every present port has its own table ({@value #TABLE_BASE} + ifindex) with its connected routes, its
 * static routes, its default route when it is an uplink with a gateway, and an {@code unreachable default}
 * behind that, so traffic sourced from a port never falls through to another port's default;</li>
 * <li>{@code from <port address>} rules send the gateway's own traffic out of the port it is sourced from;</li>
 * <li>traffic forwarded in from an offline port looks up only that port's table ({@code iif} rule): it can
 * never reach an uplink;</li>
 * <li>traffic forwarded in from an uplink looks up {@value #UPLINK_IN_TABLE}, which holds only the DMZ/LAN
 * networks: it can never reach an offline network;</li>
 * <li>the main table holds the static routes and one default route: via the uplinks the uplink manager selected
 * (several: one multipath route, flows spread by weight), or — without a usable selection — via the uplink of
 * lowest cost that has carrier;</li>
 * <li>when the document splits management from data ({@code uplink.management}, {@code uplink.data}), the main
 * default route is the management path (the gateway's own traffic) and traffic forwarded in from an inside port
 * takes the data path: {@code iif <port> lookup main suppress_prefixlength 0} (every route of main but its
 * default), then {@code iif <port> lookup} {@value #DATA_TABLE}, which holds the data default route and an
 * {@code unreachable default} behind it: without a data uplink the inside networks have no way out, never the
 * management-only uplink.</li>
 * </ul>
 *
 * @param dataUplink the first uplink of the data path when the paths are split; else empty
 */
record RoutingPlan(Set<Route> routes, Set<Rule> rules, Map<String, String> sysctls, Optional<String> defaultUplink,
        Map<String, Integer> tables, Unknown unknown, Optional<String> dataUplink) {

    RoutingPlan(Set<Route> routes, Set<Rule> rules, Map<String, String> sysctls, Optional<String> defaultUplink,
            Map<String, Integer> tables, Unknown unknown) {
        this(routes, rules, sysctls, defaultUplink, tables, unknown, Optional.empty());
    }

    /**
     * Ports of the document that no driver reports on (the driver bundle is stopped or being updated), and
     * their tables: what Isthmus put in the kernel for them stays there until their driver is back.
     */
    record Unknown(Set<String> ports, Set<Integer> tables) {
        static final Unknown NONE = new Unknown(Set.of(), Set.of());

        boolean covers(Route r) {
            return tables.contains(r.table()) || r.device().filter(ports::contains).isPresent()
                    || r.nexthops().stream().anyMatch(n -> ports.contains(n.device()));
        }

        boolean covers(Rule r) {
            return tables.contains(r.table()) || r.inputInterface().filter(ports::contains).isPresent();
        }
    }

    static final int TABLE_BASE = 1000;
    static final int UPLINK_IN_TABLE = 999;
    /** The data path's default route, for traffic forwarded from the inside ports when the paths are split. */
    static final int DATA_TABLE = 998;
    /** Behind any real default route (metric 0), in front of nothing. */
    static final int UNREACHABLE_METRIC = 65535;
    static final int PREF_OFFLINE_IIF = 1000;
    static final int PREF_UPLINK_IIF = 1100;
    static final int PREF_SOURCE = 1200;
    /** Source rules per port: the priorities of port n are 1200 + 8n … 1200 + 8n + 7. */
    static final int ADDRESSES_PER_PORT = 8;
    /** Inside port n, split paths: 3000 + 2n main without its default route, 3000 + 2n + 1 the data table. */
    static final int PREF_DATA = 3000;

    static RoutingPlan of(Map<String, PortConfig> ports, List<RouteConfig> staticRoutes, Map<String, PortStatus> status,
            Map<String, Link> links) {
        return of(ports, staticRoutes, status, links, List.of());
    }

    /** @param selection the uplink manager's choice; empty: none (no manager, or no uplink it found healthy) */
    static RoutingPlan of(Map<String, PortConfig> ports, List<RouteConfig> staticRoutes, Map<String, PortStatus> status,
            Map<String, Link> links, List<UplinkSelection.Weighted> selection) {
        return of(ports, staticRoutes, status, links, selection, selection, UplinkConfig.defaults());
    }

    /**
     * @param selection     the management path (the main default route)
     * @param dataSelection the data path; used only when {@code uplink} splits the paths
     * @param usage         which uplinks may carry management and data
     */
    static RoutingPlan of(Map<String, PortConfig> ports, List<RouteConfig> staticRoutes, Map<String, PortStatus> status,
            Map<String, Link> links, List<UplinkSelection.Weighted> selection,
            List<UplinkSelection.Weighted> dataSelection, UplinkConfig usage) {
        Set<Route> routes = new LinkedHashSet<>();
        Set<Rule> rules = new LinkedHashSet<>();
        Map<String, String> sysctls = new LinkedHashMap<>();
        Map<String, Integer> tables = new LinkedHashMap<>();

        // ports that are there and whose driver reports them
        Map<String, PortStatus> present = new LinkedHashMap<>();
        Set<String> unknownPorts = new LinkedHashSet<>();
        Set<Integer> unknownTables = new LinkedHashSet<>();
        ports.forEach((name, port) -> {
            PortStatus s = status.get(name);
            Link link = links.get(name);
            if (s != null && s.present() && link != null) {
                present.put(name, s);
                tables.put(name, TABLE_BASE + link.index());
            } else if (s == null) {
                unknownPorts.add(name);
                if (link != null) {
                    unknownTables.add(TABLE_BASE + link.index());
                }
            }
        });

        boolean routed = ports.values().stream().anyMatch(p -> p.role() == PortRole.UPLINK)
                && ports.values().stream().anyMatch(p -> forwardedToUplinks(p.role()));
        sysctls.put("net.ipv4.ip_forward", routed ? "1" : "0");
        if (routed) {
            // a multipath default route spreads flows (ports included), not just pairs of hosts
            sysctls.put("net.ipv4.fib_multipath_hash_policy", "1");
        }

        // rule priorities follow the port's place in the document, so a lease arriving on one port does not
        // renumber the rules of the others
        List<String> order = List.copyOf(ports.keySet());
        boolean anyUplink = false;
        for (Map.Entry<String, PortStatus> e : present.entrySet()) {
            String name = e.getKey();
            PortStatus s = e.getValue();
            int table = tables.get(name);
            int slot = order.indexOf(name);
            int addressIndex = 0;
            for (Ipv4Cidr a : s.addresses()) {
                routes.add(unicast(table, Optional.of(a.network()), Optional.empty(), name, 0));
                if (addressIndex < ADDRESSES_PER_PORT) {
                    rules.add(rule(PREF_SOURCE + slot * ADDRESSES_PER_PORT + addressIndex++,
                            Optional.of(new Ipv4Cidr(a.address(), 32)), Optional.empty(), table));
                }
            }
            if (s.role() == PortRole.UPLINK && s.gateway().isPresent() && !s.addresses().isEmpty()) {
                routes.add(unicast(table, Optional.empty(), s.gateway(), name, 0));
            }
            routes.add(unreachableDefault(table));
            sysctls.put("net.ipv4.conf." + name + ".ignore_routes_with_linkdown", "1");
            if (s.role() == PortRole.OFFLINE) {
                rules.add(rule(PREF_OFFLINE_IIF + slot, Optional.empty(), Optional.of(name), table));
                sysctls.put("net.ipv6.conf." + name + ".accept_ra_defrtr", "0");
            } else if (s.role() == PortRole.UPLINK) {
                rules.add(rule(PREF_UPLINK_IIF + slot, Optional.empty(), Optional.of(name), UPLINK_IN_TABLE));
                anyUplink = true;
            } else if (forwardedToUplinks(s.role())) {
                for (Ipv4Cidr a : s.addresses()) {
                    routes.add(unicast(UPLINK_IN_TABLE, Optional.of(a.network()), Optional.empty(), name, 0));
                }
            }
        }
        if (anyUplink || ports.values().stream().anyMatch(p -> p.role() == PortRole.UPLINK)) {
            routes.add(unreachableDefault(UPLINK_IN_TABLE)); // stays while an uplink's driver is away
        }
        // answers from an offline network to the inside networks (a DMZ historian reading a PLC): whether such
        // a flow may exist is the firewall's decision (a conduit); the uplinks stay unreachable from there
        present.forEach((offline, s) -> {
            if (s.role() == PortRole.OFFLINE) {
                present.values().stream().filter(inside -> forwardedToUplinks(inside.role())).forEach(inside ->
                        inside.addresses().forEach(a -> routes.add(unicast(tables.get(offline),
                                Optional.of(a.network()), Optional.empty(), inside.name(), 0))));
            }
        });

        for (RouteConfig r : staticRoutes) {
            Optional<String> port = r.interfaceName().or(() -> r.gateway().flatMap(g -> portOf(g, present)));
            routes.add(unicast(Route.MAIN_TABLE, Optional.of(r.destination()), r.gateway(), port, r.metric()));
            port.filter(tables::containsKey).ifPresent(p -> {
                routes.add(unicast(tables.get(p), Optional.of(r.destination()), r.gateway(), Optional.of(p),
                        r.metric()));
                if (forwardedToUplinks(present.get(p).role()) && anyUplinkIn(present)) {
                    routes.add(unicast(UPLINK_IN_TABLE, Optional.of(r.destination()), r.gateway(), Optional.of(p),
                            r.metric()));
                }
            });
        }

        Optional<String> uplink = defaultRoute(Route.MAIN_TABLE, selection, usage::mayCarryManagement, present,
                routes);
        Optional<String> dataUplink = Optional.empty();
        List<String> uplinkNames = ports.entrySet().stream().filter(e -> e.getValue().role() == PortRole.UPLINK)
                .map(Map.Entry::getKey).toList();
        if (usage.splitsPaths(uplinkNames)) {
            dataUplink = defaultRoute(DATA_TABLE, dataSelection, usage::mayCarryData, present, routes);
            routes.add(unreachableDefault(DATA_TABLE));
            present.forEach((name, s) -> {
                if (forwardedToUplinks(s.role())) {
                    int slot = order.indexOf(name);
                    rules.add(new Rule(PREF_DATA + 2 * slot, Optional.empty(), Optional.of(name), Route.MAIN_TABLE,
                            Route.ISTHMUS_PROTOCOL, Optional.of(0)));
                    rules.add(rule(PREF_DATA + 2 * slot + 1, Optional.empty(), Optional.of(name), DATA_TABLE));
                }
            });
        }
        return new RoutingPlan(Set.copyOf(routes), Set.copyOf(rules), Map.copyOf(sysctls), uplink, Map.copyOf(tables),
                new Unknown(Set.copyOf(unknownPorts), Set.copyOf(unknownTables)), dataUplink);
    }

    /**
     * The default route of a path into {@code table}: via the selected uplinks allowed on it (several: one
     * multipath route), or — without a usable selection — via the cheapest allowed uplink with carrier (no
     * manager, or nothing it trusts). Returns the first uplink of the route.
     */
    private static Optional<String> defaultRoute(int table, List<UplinkSelection.Weighted> selection,
            Predicate<String> allowed, Map<String, PortStatus> present, Set<Route> routes) {
        List<Nexthop> selected = selection.stream().filter(w -> allowed.test(w.port()))
                .filter(w -> canCarryDefault(present.get(w.port())))
                .map(w -> new Nexthop(present.get(w.port()).gateway().orElseThrow(), w.port(), w.weight())).toList();
        if (selected.size() > 1) {
            routes.add(Route.multipath(table, Optional.empty(), 0, selected));
            return Optional.of(selected.get(0).device());
        }
        Optional<String> uplink = selected.stream().map(Nexthop::device).findFirst().or(() -> present.values()
                .stream().filter(RoutingPlan::canCarryDefault).filter(s -> allowed.test(s.name()))
                .min(Comparator.comparingInt(PortStatus::cost))
                .map(PortStatus::name));
        uplink.ifPresent(u -> routes.add(unicast(table, Optional.empty(), present.get(u).gateway(), u, 0)));
        return uplink;
    }

    private static boolean canCarryDefault(PortStatus s) {
        return s != null && s.role() == PortRole.UPLINK && s.carrier() && s.gateway().isPresent()
                && !s.addresses().isEmpty();
    }

    private static boolean anyUplinkIn(Map<String, PortStatus> present) {
        return present.values().stream().anyMatch(s -> s.role() == PortRole.UPLINK);
    }

    /** DMZ, LAN and management networks are routed to the uplinks; offline ones never. */
    static boolean forwardedToUplinks(PortRole role) {
        return role == PortRole.DMZ || role == PortRole.LAN || role == PortRole.MGMT;
    }

    private static Optional<String> portOf(Ipv4Address gateway, Map<String, PortStatus> present) {
        return present.values().stream().filter(s -> s.addresses().stream().anyMatch(a -> a.contains(gateway)))
                .map(PortStatus::name).findFirst();
    }

    private static Route unicast(int table, Optional<Ipv4Cidr> dst, Optional<Ipv4Address> gw, String dev, int metric) {
        return unicast(table, dst, gw, Optional.of(dev), metric);
    }

    private static Route unicast(int table, Optional<Ipv4Cidr> dst, Optional<Ipv4Address> gw, Optional<String> dev,
            int metric) {
        return new Route(table, dst, Route.Type.UNICAST, gw, dev, metric, Optional.empty(), Route.ISTHMUS_PROTOCOL);
    }

    private static Route unreachableDefault(int table) {
        return new Route(table, Optional.empty(), Route.Type.UNREACHABLE, Optional.empty(), Optional.empty(),
                UNREACHABLE_METRIC, Optional.empty(), Route.ISTHMUS_PROTOCOL);
    }

    private static Rule rule(int pref, Optional<Ipv4Cidr> from, Optional<String> iif, int table) {
        return new Rule(pref, from, iif, table, Route.ISTHMUS_PROTOCOL);
    }

    /** The identity the kernel gives a route for {@code replace}: table, destination, metric (and type). */
    record RouteKey(int table, Optional<Ipv4Cidr> destination, int metric) {
        static RouteKey of(Route r) {
            return new RouteKey(r.table(), r.destination(), r.metric());
        }
    }

    /** A route as compared: what the kernel adds on its own (source, protocol) left out. */
    static Route comparable(Route r) {
        boolean unicast = r.type() == Route.Type.UNICAST;
        return new Route(r.table(), r.destination(), r.type(), unicast ? r.gateway() : Optional.empty(),
                unicast ? r.device() : Optional.empty(), r.metric(), Optional.empty(), Route.ISTHMUS_PROTOCOL,
                unicast ? r.nexthops() : List.of());
    }

    static Rule comparable(Rule r) {
        return new Rule(r.priority(), r.from(), r.inputInterface(), r.table(), Route.ISTHMUS_PROTOCOL,
                r.suppressPrefixLength());
    }

    /** Ports whose default routes someone else (a DHCP client, a router advertisement) may have added. */
    static List<String> offlinePorts(Map<String, PortConfig> ports) {
        List<String> out = new ArrayList<>();
        ports.forEach((n, p) -> {
            if (p.role() == PortRole.OFFLINE) {
                out.add(n);
            }
        });
        return out;
    }
}
