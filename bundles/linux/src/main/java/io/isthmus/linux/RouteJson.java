package io.isthmus.linux;

import com.fasterxml.jackson.databind.JsonNode;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Nexthop;
import io.isthmus.api.linux.Route;
import io.isthmus.api.linux.Rule;
import io.isthmus.api.net.Ipv4Cidr;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses {@code ip -j -4 route show table all} and {@code ip -j -4 rule show}, named or {@code -N} numeric,
 * with or without {@code -d}. Fields iproute2 leaves out take the values it leaves them out for.
 */
final class RouteJson {
    static final int LOCAL_TABLE = 255;
    /** iproute2 prints a route's protocol only when it is not boot (unless -d). */
    private static final int ABSENT_ROUTE_PROTOCOL = 3;

    private final IpJson json;
    private final IprouteNames names;

    RouteJson(IpJson json, IprouteNames names) {
        this.json = json;
        this.names = names;
    }

    /** Routes of every table except the kernel's local table and local/broadcast entries. */
    List<Route> routes(String output) throws KernelException {
        List<Route> routes = new ArrayList<>();
        for (JsonNode n : json.objects(output)) {
            Route.Type type = IpJson.text(n, "type").map(IprouteNames::type).orElse(Route.Type.UNICAST);
            int table = number(n, "table", Route.MAIN_TABLE, true);
            if (table == LOCAL_TABLE || type == Route.Type.LOCAL || type == Route.Type.BROADCAST) {
                continue;
            }
            routes.add(new Route(table, destination(IpJson.text(n, "dst").orElse("default")), type,
                    IpJson.optionalAddress(n, "gateway"), IpJson.text(n, "dev"), IpJson.u32(n, "metric", 0),
                    IpJson.optionalAddress(n, "prefsrc"), number(n, "protocol", ABSENT_ROUTE_PROTOCOL, false),
                    nexthops(n)));
        }
        return routes;
    }

    /** A multipath route lists its paths in "nexthops" (and has no gateway or dev of its own). */
    private static List<Nexthop> nexthops(JsonNode route) throws KernelException {
        List<Nexthop> hops = new ArrayList<>();
        for (JsonNode h : route.path("nexthops")) {
            Optional<String> dev = IpJson.text(h, "dev");
            Optional<io.isthmus.api.net.Ipv4Address> gateway = IpJson.optionalAddress(h, "gateway");
            if (dev.isEmpty() || gateway.isEmpty()) {
                throw new KernelException("a nexthop without gateway or dev: " + h);
            }
            hops.add(new Nexthop(gateway.get(), dev.get(), IpJson.u32(h, "weight", 1)));
        }
        return hops;
    }

    /**
     * Rules with the selectors the Rule record has (priority, from, iif, suppress_prefixlength); others (to,
     * fwmark, oif …) are not
     * represented. A rule without a table (goto, nop) reads as table 0.
     */
    List<Rule> rules(String output) throws KernelException {
        List<Rule> rules = new ArrayList<>();
        for (JsonNode n : json.objects(output)) {
            String src = IpJson.text(n, "src").orElse("all");
            Optional<Ipv4Cidr> from = src.equals("all") ? Optional.empty()
                    : Optional.of(IpJson.cidr(src, n.path("srclen").asInt(32)));
            rules.add(new Rule(IpJson.u32(n, "priority", 0), from, IpJson.text(n, "iif"),
                    number(n, "table", 0, true), number(n, "protocol", 0, false),
                    n.has("suppress_prefixlen") ? Optional.of(n.get("suppress_prefixlen").asInt())
                            : Optional.empty()));
        }
        return rules;
    }

    /** "default", "a.b.c.d/n", or a bare address for a /32. */
    static Optional<Ipv4Cidr> destination(String dst) throws KernelException {
        if (dst.equals("default")) {
            return Optional.empty();
        }
        int slash = dst.indexOf('/');
        Ipv4Cidr cidr = slash < 0 ? IpJson.cidr(dst, 32)
                : Ipv4Cidr.parse(dst).orElseThrow(() -> new KernelException("not an IPv4 destination: " + dst));
        return cidr.prefix() == 0 ? Optional.empty() : Optional.of(cidr);
    }

    private int number(JsonNode n, String field, int absent, boolean isTable) throws KernelException {
        Optional<String> text = IpJson.text(n, field);
        if (text.isEmpty()) {
            return absent;
        }
        return isTable ? names.table(text.get()) : names.protocol(text.get());
    }
}
