package io.isthmus.firewall;

import static io.isthmus.firewall.Nft.F;

import com.fasterxml.jackson.databind.JsonNode;
import io.isthmus.api.config.FirewallConfig.Conduit;
import io.isthmus.api.config.FirewallConfig.PortForward;
import io.isthmus.api.config.MulticastConfig.PassThrough;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.firewall.HostOpenings;
import io.isthmus.api.firewall.Zones;
import io.isthmus.api.net.PortRole;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The table the gateway wants, as a pure function of the document (IEC 62443 zones and conduits):
 *
 * <ul>
 * <li>input and forward drop, output accept; loopback and established/related accepted; invalid dropped;</li>
 * <li>each conduit one counted rule, commented {@code conduit <i>: from -> to proto ports}; {@code to}
 * {@code gateway} lands in input, anything else in forward; a run of {@link ConduitSets#MIN_RUN} or more
 * consecutive conduits of one shape one rule with a set whose elements carry those comments and counters;</li>
 * <li>ICMP echo to the gateway from the {@code icmpEcho} zones, or when that list is empty from every port
 * that is not an uplink;</li>
 * <li>masquerade of dmz, lan and mgmt ports out of the uplinks; port forwards as DNAT in prerouting plus the
 * forward rule for exactly the translated flow;</li>
 * <li>the multicast section's flows: a forward rule each, a TTL fix-up (TTL 1 becomes 2, so the kernel
 * forwards it once) and, for mDNS, the reflector's input rule. The firewall reads the multicast section itself:
 * one bundle owns the one table.</li>
 * <li>the openings the services on the box ask for ({@link HostOpenings}: DHCP, DNS), one input rule each,
 * commented {@code <service> on <port>}, never on an uplink.</li>
 * </ul>
 */
final class FirewallPlan {
    static final String INPUT = "input";
    static final String FORWARD = "forward";
    static final String OUTPUT = "output";
    static final String DNAT = "dnat";
    static final String SNAT = "snat";
    static final String MANGLE = "mangle";
    static final String MDNS_GROUP = "224.0.0.251";
    static final int MDNS_PORT = 5353;
    static final List<Integer> MANAGEMENT_OUT = List.of(8883, 443);
    /** Roles whose networks are masqueraded out of the uplinks; offline networks never leave. */
    static final Set<PortRole> ROUTED_OUT = EnumSet.of(PortRole.DMZ, PortRole.LAN, PortRole.MGMT);

    private final RulesetWriter out;
    /** The run of conduits being gathered into a set, if any. */
    private Optional<ConduitSets.Run> run = Optional.empty();
    private int conduitSets;
    /**
     * Interface sets, named once per distinct group of ports: a rule per conduit with an anonymous set each made
     * a table of 10,000 rules take seconds to load (the kernel names anonymous sets by scanning the others).
     */
    private final Map<Set<String>, String> interfaceSets = new LinkedHashMap<>();
    /** Each zone reference's ports, sorted, resolved once per plan: 10,000 conduits name a handful of zones. */
    private final Map<String, Set<String>> zones = new HashMap<>();
    private static final Set<String> NO_PORTS = new TreeSet<>();

    private FirewallPlan(Consumer<String> sink) {
        this.out = new RulesetWriter(sink);
    }

    /** Before the first document: nothing in but loopback and answers to the gateway's own traffic. */
    static Ruleset boot() {
        Text text = new Text();
        return boot(text).withObjects(text.array());
    }

    /** The boot table, each object handed to {@code sink} as it is made. */
    static Ruleset boot(Consumer<String> sink) {
        FirewallPlan p = new FirewallPlan(sink);
        p.filterChains();
        return p.out.finish();
    }

    static Ruleset of(NetworkDocument doc) {
        return of(doc, List.of());
    }

    /** With the host-input openings of the services on the box ({@link HostOpeningProviders}), as text. */
    static Ruleset of(NetworkDocument doc, List<HostOpenings.Opening> openings) {
        Text text = new Text();
        return write(doc, openings, text).withObjects(text.array());
    }

    /** The objects of a table as one JSON array. */
    private static final class Text implements Consumer<String> {
        private final StringBuilder out = new StringBuilder("[");

        @Override
        public void accept(String object) {
            out.append(out.length() > 1 ? "," : "").append(object);
        }

        String array() {
            return out.append(']').toString();
        }
    }

    /**
     * The table of a document, each object handed to {@code sink} as it is made (the nft batch it streams into):
     * nothing holds the whole table.
     */
    static Ruleset write(NetworkDocument doc, List<HostOpenings.Opening> openings, Consumer<String> sink) {
        FirewallPlan p = new FirewallPlan(sink);
        p.filterChains();
        p.noDataOut(doc);
        p.dhcp(doc);
        p.icmpEcho(doc);
        for (HostOpenings.Opening o : openings) {
            p.rule(INPUT, o.service() + " on " + o.port(), Nft.iifname(List.of(o.port())),
                    Nft.match(Nft.payload(o.protocol(), "dport"), F.numberNode(o.dport())), Nft.counter(),
                    Nft.verdict("accept"));
        }
        List<Conduit> conduits = doc.firewall().conduits();
        for (int i = 0; i < conduits.size(); i++) {
            p.conduit(doc, i, conduits.get(i));
        }
        p.endRun();
        p.management();
        p.natChains();
        p.masquerade(doc);
        List<PortForward> forwards = doc.firewall().portForwards();
        for (int i = 0; i < forwards.size(); i++) {
            p.portForward(i, forwards.get(i));
        }
        List<PassThrough> flows = doc.multicast().passThrough();
        for (int i = 0; i < flows.size(); i++) {
            p.multicast(doc, i, flows.get(i));
        }
        return p.out.finish();
    }

    private JsonNode iifname(Set<String> ports) {
        return Nft.match(Nft.meta("iifname"), interfaces(ports));
    }

    private JsonNode oifname(Set<String> ports) {
        return Nft.match(Nft.meta("oifname"), interfaces(ports));
    }

    /** One port as itself, several as a reference to their named set. */
    private JsonNode interfaces(Set<String> ports) {
        if (ports.size() == 1) {
            return F.textNode(ports.iterator().next());
        }
        // sorted: the same ports give the same set, and the same table digest, in every JVM
        Set<String> sorted = new TreeSet<>(ports);
        String name = interfaceSets.get(sorted);
        if (name == null) {
            name = "ports" + interfaceSets.size();
            interfaceSets.put(sorted, name);
            out.set(Nft.interfaceSet(name, sorted));
        }
        return F.textNode("@" + name);
    }

    private void filterChains() {
        out.object(Nft.chain(INPUT, "filter", "input", 0, "drop"));
        out.object(Nft.chain(FORWARD, "filter", "forward", 0, "drop"));
        out.object(Nft.chain(OUTPUT, "filter", "output", 0, "accept"));
        rule(INPUT, "loopback", Nft.iifname(List.of("lo")), Nft.counter(), Nft.verdict("accept"));
        for (String chain : List.of(INPUT, FORWARD)) {
            rule(chain, "established", Nft.ctState("established", "related"), Nft.counter(), Nft.verdict("accept"));
            rule(chain, "invalid", Nft.ctState("invalid"), Nft.counter(), Nft.verdict("drop"));
        }
    }

    private void natChains() {
        out.object(Nft.chain(DNAT, "nat", "prerouting", -100, "accept"));
        out.object(Nft.chain(SNAT, "nat", "postrouting", 100, "accept"));
        out.object(Nft.chain(MANGLE, "filter", "prerouting", -150, "accept"));
    }

    /**
     * New flows from the inside ports out of an uplink that may not carry data ({@code uplink.data}) are dropped
     * before any conduit can accept them: routing already sends them elsewhere, this holds even if a route does
     * not (a static route, a route someone else added). Answers of flows the document lets in through that uplink
     * (a port forward) are established and pass.
     */
    private void noDataOut(NetworkDocument doc) {
        Set<String> inside = new LinkedHashSet<>();
        ROUTED_OUT.forEach(role -> inside.addAll(Zones.ports(doc, role)));
        Set<String> noData = new LinkedHashSet<>();
        Zones.ports(doc, PortRole.UPLINK).forEach(u -> {
            if (!doc.uplink().mayCarryData(u)) {
                noData.add(u);
            }
        });
        if (!inside.isEmpty() && !noData.isEmpty()) {
            rule(FORWARD, "no data out of " + String.join(",", new TreeSet<>(noData)), iifname(inside),
                    oifname(noData), Nft.counter(), Nft.verdict("drop"));
        }
    }

    /** Offers and acks to the gateway's DHCP clients arrive before conntrack knows the flow (broadcast). */
    private void dhcp(NetworkDocument doc) {
        Set<String> ports = new LinkedHashSet<>();
        doc.ports().forEach((name, port) -> {
            if (port.ipv4() instanceof io.isthmus.api.config.Ipv4Config.Dhcp) {
                ports.add(name);
            }
        });
        if (!ports.isEmpty()) {
            rule(INPUT, "dhcp client", iifname(ports), Nft.match(Nft.payload("udp", "sport"), F.numberNode(67)),
                    Nft.match(Nft.payload("udp", "dport"), F.numberNode(68)), Nft.counter(), Nft.verdict("accept"));
        }
    }

    private void icmpEcho(NetworkDocument doc) {
        Set<String> ports = new LinkedHashSet<>();
        if (doc.firewall().icmpEcho().isEmpty()) {
            doc.ports().forEach((name, port) -> {
                if (port.role() != PortRole.UPLINK) {
                    ports.add(name);
                }
            });
        } else {
            ports.addAll(Zones.ports(doc, doc.firewall().icmpEcho()));
        }
        if (!ports.isEmpty()) {
            rule(INPUT, "icmp echo", iifname(ports), Nft.match(Nft.payload("icmp", "type"),
                    F.textNode("echo-request")), Nft.counter(), Nft.verdict("accept"));
        }
    }

    private void conduit(NetworkDocument doc, int index, Conduit c) {
        Set<String> from = zone(doc, c.from());
        boolean toGateway = c.to().equals(Zones.GATEWAY);
        Set<String> to = zone(doc, c.to());
        if (from.isEmpty() || (!toGateway && to.isEmpty())) {
            return; // a zone without ports: nothing can match
        }
        String chain = toGateway ? INPUT : FORWARD;
        Optional<ConduitSets.Shape> shape = ConduitSets.Shape.of(chain, from, toGateway ? NO_PORTS : to, c);
        if (shape.isPresent() && run.isPresent() && run.get().offer(shape.get(), index, c)) {
            return;
        }
        endRun();
        if (shape.isPresent()) {
            ConduitSets.Run next = new ConduitSets.Run(shape.get());
            if (next.offer(shape.get(), index, c)) {
                run = Optional.of(next);
                return;
            }
        }
        conduitRule(index, c, from, toGateway, to);
    }

    private Set<String> zone(NetworkDocument doc, String ref) {
        Set<String> ports = zones.get(ref); // not computeIfAbsent: a lambda per conduit, 10,000 times
        if (ports == null) {
            ports = Collections.unmodifiableSet(new TreeSet<>(Zones.ports(doc, ref)));
            zones.put(ref, ports);
        }
        return ports;
    }

    /** A run long enough becomes one set and one rule; a shorter one a rule per conduit, as written. */
    private void endRun() {
        Optional<ConduitSets.Run> ended = run;
        run = Optional.empty();
        ended.ifPresent(r -> {
            if (r.members.size() < ConduitSets.MIN_RUN) {
                boolean toGateway = r.shape.chain().equals(INPUT);
                r.members.forEach(m -> conduitRule(m.index(), m.conduit(), r.shape.from(), toGateway, r.shape.to()));
                return;
            }
            String name = ConduitSets.PREFIX + conduitSets++;
            r.write(name, out);
            List<JsonNode> expr = new ArrayList<>();
            expr.add(iifname(r.shape.from()));
            if (r.shape.chain().equals(FORWARD)) {
                expr.add(oifname(r.shape.to()));
            }
            expr.addAll(r.match(name));
            expr.add(Nft.verdict("accept")); // no rule counter: each element counts its conduit
            rule(r.shape.chain(), r.comment(name), expr.toArray(JsonNode[]::new));
        });
    }

    static String conduitComment(int index, Conduit c) {
        return conduitComment(new StringBuilder(64), index, c).toString();
    }

    /** {@code conduit <index>: <from> -> <to> <protocol>[ <ports>]}, appended. */
    static StringBuilder conduitComment(StringBuilder out, int index, Conduit c) {
        out.append("conduit ").append(index).append(": ").append(c.from()).append(" -> ").append(c.to()).append(' ')
                .append(c.protocol());
        for (int i = 0; i < c.ports().size(); i++) {
            out.append(i == 0 ? ' ' : ',').append(c.ports().get(i));
        }
        return out;
    }

    private void conduitRule(int index, Conduit c, Set<String> from, boolean toGateway, Set<String> to) {
        List<JsonNode> expr = new ArrayList<>();
        expr.add(iifname(from));
        if (!toGateway) {
            expr.add(oifname(to));
        }
        if (!c.sources().isEmpty()) {
            expr.add(Nft.match(Nft.payload("ip", "saddr"), Nft.oneOrSet(c.sources().stream().map(Nft::cidr).toList())));
        }
        switch (c.protocol()) {
            case "any" -> {
            }
            case "icmp" -> expr.add(Nft.l4proto("icmp"));
            default -> expr.add(c.ports().isEmpty() ? Nft.l4proto(c.protocol())
                    : Nft.match(Nft.payload(c.protocol(), "dport"),
                            Nft.oneOrSet(c.ports().stream().map(Nft::portRange).toList())));
        }
        // established flows were accepted earlier in the chain: the limit meters new connections only
        c.rateLimit().ifPresent(l -> expr.add(Nft.wrap("limit", F.objectNode().put("rate", l.rate())
                .put("per", l.per()).put("burst", l.burst()).put("burst_unit", "packets"))));
        expr.add(Nft.counter());
        expr.add(Nft.verdict("accept"));
        rule(toGateway ? INPUT : FORWARD, conduitComment(index, c), expr.toArray(JsonNode[]::new));
    }

    /** Output is accepted anyway; these rules count the management traffic (MQTT over TLS, HTTPS). */
    private void management() {
        rule(OUTPUT, "management out", Nft.l4proto("tcp"), Nft.match(Nft.payload("tcp", "dport"),
                Nft.oneOrSet(MANAGEMENT_OUT.stream().map(F::numberNode).toList())), Nft.counter(),
                Nft.verdict("accept"));
    }

    private void masquerade(NetworkDocument doc) {
        Set<String> inside = new LinkedHashSet<>();
        ROUTED_OUT.forEach(role -> inside.addAll(Zones.ports(doc, role)));
        Set<String> uplinks = Zones.ports(doc, PortRole.UPLINK);
        if (!inside.isEmpty() && !uplinks.isEmpty()) {
            rule(SNAT, "masquerade", iifname(inside), oifname(uplinks), Nft.counter(),
                    Nft.verdict("masquerade"));
        }
    }

    private void portForward(int index, PortForward f) {
        int toPort = f.toPort().orElse(f.port());
        String comment = "port forward " + index + ": " + f.from() + " " + f.protocol() + " " + f.port() + " -> "
                + f.toAddress() + ":" + toPort;
        List<JsonNode> expr = new ArrayList<>();
        expr.add(Nft.iifname(List.of(f.from())));
        if (!f.sources().isEmpty()) {
            expr.add(Nft.match(Nft.payload("ip", "saddr"), Nft.oneOrSet(f.sources().stream().map(Nft::cidr).toList())));
        }
        expr.add(Nft.match(Nft.payload(f.protocol(), "dport"), F.numberNode(f.port())));
        expr.add(Nft.counter());
        expr.add(Nft.wrap("dnat", F.objectNode().put("family", "ip").put("addr", f.toAddress()).put("port", toPort)));
        rule(DNAT, comment, expr.toArray(JsonNode[]::new));
        rule(FORWARD, comment, Nft.iifname(List.of(f.from())), Nft.ctStatus("dnat"),
                Nft.match(Nft.payload("ip", "daddr"), F.textNode(f.toAddress())),
                Nft.match(Nft.payload(f.protocol(), "dport"), F.numberNode(toPort)), Nft.counter(),
                Nft.verdict("accept"));
    }

    private void multicast(NetworkDocument doc, int index, PassThrough flow) {
        Set<String> from = Zones.ports(doc, flow.from());
        Set<String> to = Zones.ports(doc, flow.to());
        if (from.isEmpty() || to.isEmpty()) {
            return;
        }
        String comment = "multicast " + index + ": " + flow.group() + ":" + flow.port() + " " + flow.from() + " -> "
                + String.join(",", flow.to());
        JsonNode group = Nft.match(Nft.payload("ip", "daddr"), F.textNode(flow.group()));
        JsonNode port = Nft.match(Nft.payload("udp", "dport"), F.numberNode(flow.port()));
        if (flow.group().equals(MDNS_GROUP)) {
            // never routed: the reflector on the gateway receives it on every port of the flow
            Set<String> all = new LinkedHashSet<>(from);
            all.addAll(to);
            rule(INPUT, comment, iifname(all), group, port, Nft.counter(), Nft.verdict("accept"));
            return;
        }
        rule(MANGLE, "ttl fix-up for " + comment, iifname(from), group, port,
                Nft.match(Nft.payload("ip", "ttl"), F.numberNode(1)),
                Nft.wrap("mangle", F.objectNode().<com.fasterxml.jackson.databind.node.ObjectNode>set("key",
                        Nft.payload("ip", "ttl")).put("value", 2)));
        rule(FORWARD, comment, iifname(from), oifname(to), group, port, Nft.counter(), Nft.verdict("accept"));
    }

    private void rule(String chain, String comment, JsonNode... expr) {
        out.object(Nft.rule(chain, comment, List.of(expr)));
    }
}
