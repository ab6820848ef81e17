package io.isthmus.firewall;

import static io.isthmus.firewall.Nft.F;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isthmus.api.config.FirewallConfig.Conduit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A run of consecutive conduits of one shape compiled into one rule and one set: the same chain, {@code from} and
 * {@code to} ports and protocol, all with {@code sources} or all without, all with {@code ports} or all without, no
 * rate limit. Each element ({@code source . port}, a source or a port) carries its conduit's comment and a counter,
 * so {@code diag.firewall} still counts per conduit. nft loads 10,000 set elements in a fraction of the time it
 * takes for 10,000 rules, and the kernel looks a packet up in the set instead of walking the rules.
 *
 * <p>Only a run keeps the table's meaning exactly: no other rule sits between its members, and a conduit whose
 * elements overlap an element already in the set (nft refuses overlapping intervals) ends the run and keeps a rule
 * of its own, so a packet is still counted by the first conduit in document order that allows it.
 */
final class ConduitSets {
    /** Shorter runs stay one rule per conduit, as a hand-written document reads in {@code nft list}. */
    static final int MIN_RUN = 16;
    /** A conduit with more {@code sources × ports} than this keeps its own rule (with anonymous sets). */
    static final int MAX_ELEMENTS_PER_CONDUIT = 256;
    static final String PREFIX = "conduits";
    /** Elements per piece of a large set handed to nft (whole members: a piece may hold up to 255 more). */
    static final int CHUNK = 512;

    /** What conduits must share to share a set. */
    record Shape(String chain, Set<String> from, Set<String> to, String protocol, boolean sources, boolean ports) {
        /** The shape of a conduit that can join a set, if any. */
        /** {@code from} and {@code to}: sorted sets of port names. */
        static Optional<Shape> of(String chain, Set<String> from, Set<String> to, Conduit c) {
            boolean ports = !c.ports().isEmpty() && !c.protocol().equals("any") && !c.protocol().equals("icmp");
            boolean sources = !c.sources().isEmpty();
            if (c.rateLimit().isPresent() || !(ports || sources)) {
                return Optional.empty(); // a limit meters its own rule; without a key there is nothing to look up
            }
            if ((long) Math.max(1, c.sources().size()) * (ports ? c.ports().size() : 1) > MAX_ELEMENTS_PER_CONDUIT) {
                return Optional.empty();
            }
            // the plan hands the same sorted set for the same zone: equal shapes compare by identity
            return Optional.of(new Shape(chain, from, to, c.protocol(), sources, ports));
        }

        /** By hand: a record's generated equals (method handles) was a good share of a large plan in C1 code. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Shape s && sources == s.sources && ports == s.ports && chain.equals(s.chain)
                    && protocol.equals(s.protocol) && (from == s.from || from.equals(s.from))
                    && (to == s.to || to.equals(s.to));
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(chain, from, to, protocol, sources, ports);
        }
    }

    /** One element: a box of addresses × ports (an address range and a port range; exact when both are points). */
    record Element(long addrLo, long addrHi, int portLo, int portHi, String source, String port) {
        boolean exact() {
            return addrLo == addrHi && portLo == portHi;
        }

        boolean overlaps(Element o) {
            return addrLo <= o.addrHi && o.addrLo <= addrHi && portLo <= o.portHi && o.portLo <= portHi;
        }

        long key() {
            return addrLo << 16 | portLo;
        }
    }

    /** The conduits of one run and an index of their elements for the overlap check. */
    static final class Run {
        final Shape shape;
        final List<Member> members = new ArrayList<>();
        /** The exact elements' keys: a hash of longs (a TreeSet of boxed keys was a good share of a large plan). */
        private final Keys exact = new Keys();
        /** The same keys sorted, made only once an element with a range must be checked against them. */
        private Optional<TreeSet<Long>> sorted = Optional.empty();
        private final List<Element> ranges = new ArrayList<>();
        private boolean interval;
        /** The comment being written, reused from member to member. */
        private final StringBuilder comment = new StringBuilder(64);

        record Member(int index, Conduit conduit, List<Element> elements) {
        }

        Run(Shape shape) {
            this.shape = shape;
        }

        /** Adds the conduit when it has the run's shape and overlaps none of its elements. */
        boolean offer(Shape s, int index, Conduit c) {
            if (!s.equals(shape)) {
                return false;
            }
            List<Element> elements = elements(c, shape);
            if (elements.size() == 1 ? overlaps(elements.get(0)) : overlapsAny(elements)) {
                return false;
            }
            for (Element e : elements) {
                index(e);
            }
            members.add(new Member(index, c, elements));
            return true;
        }

        /** Whether one of a conduit's elements overlaps the run or another of them. */
        private boolean overlapsAny(List<Element> elements) {
            Run own = new Run(shape); // a conduit overlapping itself (ports 1-100 and 50) keeps its own rule
            for (Element e : elements) {
                if (own.overlaps(e) || overlaps(e)) {
                    return true;
                }
                own.index(e);
            }
            return false;
        }

        int elementCount() {
            return members.stream().mapToInt(m -> m.elements().size()).sum();
        }

        private boolean overlaps(Element e) {
            if (e.exact() ? exact.contains(e.key()) : overlapsExact(e)) {
                return true;
            }
            for (Element r : ranges) {
                if (r.overlaps(e)) {
                    return true;
                }
            }
            return false;
        }

        /** Whether an element with a range covers one of the exact elements. */
        private boolean overlapsExact(Element e) {
            if (sorted.isEmpty()) {
                sorted = Optional.of(exact.sorted());
            }
            for (long k : sorted.get().subSet(e.addrLo() << 16, true, e.addrHi() << 16 | 0xffff, true)) {
                if ((k & 0xffff) >= e.portLo() && (k & 0xffff) <= e.portHi()) {
                    return true;
                }
            }
            return false;
        }

        private void index(Element e) {
            if (e.exact()) {
                exact.add(e.key());
                sorted.ifPresent(keys -> keys.add(e.key()));
            } else {
                ranges.add(e);
                interval = true;
            }
        }

        /**
         * The set's JSON, element by element, handed to {@code out} in pieces of about {@link #CHUNK} elements as
         * they are made: the set with its first elements, then {@code element} objects adding the rest. nft parses
         * one piece while the next is made, where a set of 10,000 elements in one piece reached nft only once it was
         * whole (at boot, ~60 ms of a 10,000-conduit apply spent waiting for nft to read it). A set of up to
         * {@link #CHUNK} elements is one object. Each element is added to {@code out}'s element digest too.
         */
        void write(String name, RulesetWriter out) {
            ObjectNode set = F.objectNode().put("family", Nft.FAMILY).put("table", Nft.TABLE).put("name", name);
            ArrayNode type = F.arrayNode();
            if (shape.sources()) {
                type.add("ipv4_addr");
            }
            if (shape.ports()) {
                type.add("inet_service");
            }
            set.set("type", type.size() == 1 ? type.get(0) : type);
            if (interval) {
                set.putArray("flags").add("interval");
            }
            set.putArray("stmt").add(Nft.counter()); // a counter on every element
            String head = Nft.wrap("set", set).toString();
            String more = Nft.wrap("element", F.objectNode().put("family", Nft.FAMILY).put("table", Nft.TABLE)
                    .put("name", name)).toString();
            int total = elementCount();
            StringBuilder piece = new StringBuilder(head.length() + 96 * Math.min(total, CHUNK + 64));
            piece.append(head, 0, head.length() - 2).append(",\"elem\":[");
            boolean first = true;
            int inPiece = 0;
            long setHash = ElementDigest.text(name);
            for (Member m : members) {
                member(piece, m, setHash, out.elementDigest()); // a call per member: compiled soon, a loop body never
                inPiece += m.elements().size();
                if (inPiece >= CHUNK && inPiece < total) {
                    handOn(name, out, piece.append("]}}"), inPiece, first);
                    total -= inPiece;
                    first = false;
                    inPiece = 0;
                    piece.setLength(0);
                    piece.append(more, 0, more.length() - 2).append(",\"elem\":[");
                }
            }
            handOn(name, out, piece.append("]}}"), inPiece, first);
        }

        private static void handOn(String name, RulesetWriter out, CharSequence piece, int count, boolean first) {
            if (first) {
                out.setText(name, piece, count);
            } else {
                out.elementsText(piece, count);
            }
        }

        /** A member's elements, each with its conduit's comment, written and digested. */
        private void member(StringBuilder out, Member m, long setHash, ElementDigest digest) {
            // by hand, not a tree per element nor a string per part: 10,000 elements are most of a large plan's time
            comment.setLength(0);
            FirewallPlan.conduitComment(comment, m.index(), m.conduit());
            if (comment.length() > Nft.MAX_COMMENT) {
                comment.setLength(Nft.MAX_COMMENT - 3);
                comment.append("...");
            }
            long commentHash = ElementDigest.text(comment);
            int from = out.length();
            for (Element e : m.elements()) {
                if (out.length() > from) {
                    out.append(',');
                } else if (out.charAt(from - 1) != '[') {
                    out.append(',');
                }
                out.append("{\"elem\":{\"val\":");
                value(out, e);
                out.append(",\"comment\":");
                quoted(out, comment);
                out.append("}}");
                digest.add(setHash, canonical(e), commentHash);
            }
        }

        /** A JSON string: zone names, protocols and ports are validated, but a comment is quoted all the same. */
        private static void quoted(StringBuilder out, CharSequence text) {
            out.append('"');
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            out.append('"');
        }

        /** The element's hash as {@link ElementDigest#canonical} makes it from nft's listing of it. */
        private long canonical(Element e) {
            long value = ElementDigest.EMPTY;
            if (shape.sources()) {
                value = ElementDigest.part(value, e.addrLo(), e.addrHi());
            }
            if (shape.ports()) {
                value = ElementDigest.part(value, e.portLo(), e.portHi());
            }
            return value;
        }

        /** Element values as Nft.cidr and Nft.portRange write them; sources and ports are validated numbers. */
        private void value(StringBuilder out, Element e) {
            boolean both = shape.sources() && shape.ports();
            if (both) {
                out.append("{\"concat\":[");
            }
            if (shape.sources()) {
                int slash = e.source().indexOf('/');
                if (slash < 0 || e.source().endsWith("/32")) {
                    out.append('"').append(e.source(), 0, slash < 0 ? e.source().length() : slash).append('"');
                } else {
                    out.append("{\"prefix\":{\"addr\":\"").append(e.source(), 0, slash).append("\",\"len\":")
                            .append(e.source(), slash + 1, e.source().length()).append("}}");
                }
            }
            if (both) {
                out.append(',');
            }
            if (shape.ports()) {
                if (e.portLo() == e.portHi()) {
                    out.append(e.portLo());
                } else {
                    out.append("{\"range\":[").append(e.portLo()).append(',').append(e.portHi()).append("]}");
                }
            }
            if (both) {
                out.append("]}");
            }
        }

        /** What the rule matches against the set, in the order a conduit's rule matches. */
        List<JsonNode> match(String name) {
            List<JsonNode> expr = new ArrayList<>();
            JsonNode saddr = Nft.payload("ip", "saddr");
            JsonNode dport = Nft.payload(shape.protocol(), "dport");
            JsonNode key = shape.sources() && shape.ports() ? Nft.wrap("concat", F.arrayNode().add(saddr).add(dport))
                    : shape.sources() ? saddr : dport;
            expr.add(Nft.match(key, F.textNode("@" + name)));
            if (!shape.ports() && !shape.protocol().equals("any")) {
                expr.add(Nft.l4proto(shape.protocol()));
            }
            return expr;
        }

        String comment(String name) {
            Conduit c = members.get(0).conduit();
            return "conduits " + members.get(0).index() + "-" + members.get(members.size() - 1).index() + ": "
                    + c.from() + " -> " + c.to() + " " + c.protocol() + " (set " + name + ", counted per element)";
        }
    }

    private ConduitSets() {
    }

    /** A set of non-negative longs (element keys: 48 bits), open addressing, no boxing. */
    static final class Keys {
        private long[] table = filled(64);
        private int size;

        private static long[] filled(int capacity) {
            long[] t = new long[capacity];
            java.util.Arrays.fill(t, -1);
            return t;
        }

        private static int slot(long key, int mask) {
            long h = key * 0x9e3779b97f4a7c15L;
            return (int) (h >>> 40) & mask;
        }

        boolean contains(long key) {
            int mask = table.length - 1;
            for (int i = slot(key, mask); table[i] != -1; i = (i + 1) & mask) {
                if (table[i] == key) {
                    return true;
                }
            }
            return false;
        }

        void add(long key) {
            if (2 * (size + 1) > table.length) {
                long[] old = table;
                table = filled(old.length * 2);
                size = 0;
                for (long k : old) {
                    if (k != -1) {
                        insert(k);
                    }
                }
            }
            insert(key);
        }

        private void insert(long key) {
            int mask = table.length - 1;
            int i = slot(key, mask);
            for (; table[i] != -1; i = (i + 1) & mask) {
                if (table[i] == key) {
                    return;
                }
            }
            table[i] = key;
            size++;
        }

        TreeSet<Long> sorted() {
            TreeSet<Long> out = new TreeSet<>();
            for (long k : table) {
                if (k != -1) {
                    out.add(k);
                }
            }
            return out;
        }
    }

    static List<Element> elements(Conduit c, Shape shape) {
        // a dimension the set does not have is a point, so that exact elements stay exact (a hash lookup)
        List<String> sources = shape.sources() ? c.sources() : List.of("0.0.0.0");
        List<String> ports = shape.ports() ? c.ports() : List.of("0");
        List<Element> out = new ArrayList<>(sources.size() * ports.size());
        for (String s : sources) {
            long[] a = addresses(s);
            for (String p : ports) {
                int dash = p.indexOf('-');
                int lo = Integer.parseInt(p, 0, dash < 0 ? p.length() : dash, 10);
                int hi = dash < 0 ? lo : Integer.parseInt(p, dash + 1, p.length(), 10);
                out.add(new Element(a[0], a[1], lo, hi, s, p));
            }
        }
        return out;
    }

    /** "10.0.0.0/8" as its first and last address (validated input: four decimal octets). */
    static long[] addresses(String cidr) {
        int slash = cidr.indexOf('/');
        int end = slash < 0 ? cidr.length() : slash;
        long a = 0;
        int octet = 0;
        for (int i = 0; i < end; i++) { // by hand: split and parseInt per part were a good share of a large plan
            char ch = cidr.charAt(i);
            if (ch == '.') {
                a = a << 8 | octet;
                octet = 0;
            } else {
                octet = octet * 10 + (ch - '0');
            }
        }
        a = a << 8 | octet;
        int len = slash < 0 ? 32 : Integer.parseInt(cidr, slash + 1, cidr.length(), 10);
        long size = 1L << (32 - len);
        long lo = a & ~(size - 1) & 0xffffffffL;
        return new long[] {lo, lo + size - 1};
    }
}
