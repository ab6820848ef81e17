package io.isthmus.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.List;

/** Builders for the nft JSON expressions the plan uses (libnftables-json(5)); nothing else writes nft JSON. */
final class Nft {
    static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final String FAMILY = "inet";
    static final String TABLE = "isthmus";
    /**
     * Longest rule comment written. nft 1.0.6 fails a whole batch on a comment over 253 bytes
     * ({@code netlink_linearize.c:1686: Memory allocation failure}): a conduit of 45 ports listed them all. 200
     * leaves room for the ruleset digest stamped into the last rule's comment; comments are ASCII (port, zone
     * names and numbers), so characters are bytes.
     */
    static final int MAX_COMMENT = 200;

    private Nft() {
    }

    static ObjectNode chain(String name, String type, String hook, int prio, String policy) {
        ObjectNode c = F.objectNode().put("family", FAMILY).put("table", TABLE).put("name", name).put("type", type)
                .put("hook", hook).put("prio", prio).put("policy", policy);
        return wrap("chain", c);
    }

    static ObjectNode rule(String chain, String comment, List<JsonNode> expr) {
        ObjectNode r = F.objectNode().put("family", FAMILY).put("table", TABLE).put("chain", chain);
        r.put("comment", comment(comment));
        ArrayNode e = r.putArray("expr");
        expr.forEach(e::add);
        return wrap("rule", r);
    }

    /** A comment as written: cut at {@link #MAX_COMMENT}, ending {@code ...}. */
    static String comment(String text) {
        return text.length() <= MAX_COMMENT ? text : text.substring(0, MAX_COMMENT - 3) + "...";
    }

    static ObjectNode match(JsonNode left, JsonNode right) {
        return wrap("match", F.objectNode().put("op", "==").<ObjectNode>set("left", left).set("right", right));
    }

    static ObjectNode meta(String key) {
        return wrap("meta", F.objectNode().put("key", key));
    }

    static ObjectNode payload(String protocol, String field) {
        return wrap("payload", F.objectNode().put("protocol", protocol).put("field", field));
    }

    /** One value as itself, several as an anonymous set. */
    static JsonNode oneOrSet(Collection<? extends JsonNode> values) {
        if (values.size() == 1) {
            return values.iterator().next();
        }
        ArrayNode set = F.arrayNode();
        values.forEach(set::add);
        return wrap("set", set);
    }

    static List<JsonNode> texts(Collection<String> values) {
        return values.stream().<JsonNode>map(F::textNode).toList();
    }

    static ObjectNode iifname(Collection<String> ports) {
        return match(meta("iifname"), oneOrSet(texts(ports)));
    }

    /** A named set of interface names, declared once and referred to as {@code @name}. */
    static ObjectNode interfaceSet(String name, Collection<String> ports) {
        ObjectNode set = F.objectNode().put("family", FAMILY).put("table", TABLE).put("name", name)
                .put("type", "ifname");
        ArrayNode elem = set.putArray("elem");
        ports.forEach(elem::add);
        return wrap("set", set);
    }

    static ObjectNode l4proto(String protocol) {
        return match(meta("l4proto"), F.textNode(protocol));
    }

    /** {@code ct state established,related} and the like. */
    static ObjectNode ctState(String... states) {
        ArrayNode s = F.arrayNode();
        for (String state : states) {
            s.add(state);
        }
        return wrap("match", F.objectNode().put("op", "in")
                .<ObjectNode>set("left", wrap("ct", F.objectNode().put("key", "state"))).set("right", s));
    }

    static ObjectNode ctStatus(String status) {
        return wrap("match", F.objectNode().put("op", "in")
                .<ObjectNode>set("left", wrap("ct", F.objectNode().put("key", "status"))).set("right",
                        F.textNode(status)));
    }

    /** "22" or "8000-8100" as an nft value. */
    static JsonNode portRange(String text) {
        int dash = text.indexOf('-');
        if (dash < 0) {
            return F.numberNode(Integer.parseInt(text));
        }
        return wrap("range", F.arrayNode().add(Integer.parseInt(text.substring(0, dash)))
                .add(Integer.parseInt(text.substring(dash + 1))));
    }

    /** "10.0.0.0/8" as an nft prefix, a host address as itself. */
    static JsonNode cidr(String text) {
        int slash = text.indexOf('/');
        if (slash < 0 || text.endsWith("/32")) {
            return F.textNode(slash < 0 ? text : text.substring(0, slash));
        }
        return wrap("prefix", F.objectNode().put("addr", text.substring(0, slash))
                .put("len", Integer.parseInt(text.substring(slash + 1))));
    }

    static ObjectNode verdict(String verdict) {
        return F.objectNode().putNull(verdict);
    }

    static ObjectNode counter() {
        return F.objectNode().putNull("counter");
    }

    static ObjectNode wrap(String key, JsonNode value) {
        ObjectNode o = F.objectNode();
        o.set(key, value);
        return o;
    }
}
