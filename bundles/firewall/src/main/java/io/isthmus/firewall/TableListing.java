package io.isthmus.firewall;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code nft -j list table inet isthmus} read back. nft prints a rule in its own normal form (implied
 * {@code meta nfproto} matches, sets sorted), so drift is found by comparing a listing's {@link #shapeDigest}
 * with the one taken right after our own write. Parsed as a tree only for diagnostics.
 */
record TableListing(JsonNode objects) {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Fields that change without the ruleset changing: nft's version, kernel handles, counter values. */
    private static final Set<String> IGNORED = Set.of("metainfo", "handle", "packets", "bytes");

    static TableListing parse(String json) {
        try {
            JsonNode root = MAPPER.readTree(json).path("nftables");
            ArrayNode objects = MAPPER.createArrayNode();
            root.forEach(o -> {
                if (!o.has("metainfo")) {
                    objects.add(o);
                }
            });
            return new TableListing(objects);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable nft -j output: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * A digest of a listing's content without the metainfo, handles and counter values: equal for an untouched
     * table. Streamed token by token, so a table of 10,000 rules is never held as a tree.
     */
    static String shapeDigest(String json) {
        MessageDigest digest = sha256();
        StringBuilder buf = new StringBuilder(1 << 16); // tokens digested in slices: no array per token
        try (JsonParser in = MAPPER.getFactory().createParser(json)) {
            for (JsonToken t = in.nextToken(); t != null; t = in.nextToken()) {
                if (t == JsonToken.FIELD_NAME && IGNORED.contains(in.currentName())) {
                    in.nextToken();
                    in.skipChildren(); // metainfo is an object; the others are numbers
                    continue;
                }
                buf.append(t.name()).append(':');
                if (t.isScalarValue() || t == JsonToken.FIELD_NAME) {
                    buf.append(in.getTextCharacters(), in.getTextOffset(), in.getTextLength());
                }
                buf.append('\n');
                if (buf.length() >= 1 << 16) {
                    digest.update(buf.toString().getBytes(StandardCharsets.UTF_8));
                    buf.setLength(0);
                }
            }
            digest.update(buf.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable nft -j output: " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * The {@link ElementDigest} of every set's elements in a full listing ({@code nft -j list table}), element
     * counters left out. Streamed: only one element at a time is a tree.
     */
    static String elementDigest(String json) {
        ElementDigest digest = new ElementDigest();
        eachObject(json, (kind, in) -> {
            if (kind.equals("set") || kind.equals("map")) {
                setElements(in, digest);
            } else {
                in.skipChildren();
            }
        });
        return digest.value();
    }

    /** Takes one listed object's body: the parser on its first token, to be consumed whole. */
    interface ObjectBody {
        void read(String kind, JsonParser in) throws IOException;
    }

    /**
     * Walks an nft JSON listing ({@code {"nftables": [{"<kind>": {...}}, ...]}}) object by object, streamed: only
     * what {@code body} keeps is held.
     */
    static void eachObject(String listing, ObjectBody body) {
        try (JsonParser in = MAPPER.getFactory().createParser(listing)) {
            if (in.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("unreadable nft -j output: not an object");
            }
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                in.nextToken();
                if (!in.currentName().equals("nftables") || in.currentToken() != JsonToken.START_ARRAY) {
                    in.skipChildren();
                    continue;
                }
                while (in.nextToken() == JsonToken.START_OBJECT) {
                    while (in.nextToken() == JsonToken.FIELD_NAME) {
                        String kind = in.currentName();
                        in.nextToken();
                        body.read(kind, in);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable nft -j output: " + e.getMessage(), e);
        }
    }

    /** One set's body, the parser on its START_OBJECT; its elements are added once its name is known. */
    private static void setElements(JsonParser in, ElementDigest digest) throws IOException {
        String name = "";
        List<long[]> elements = new ArrayList<>();
        while (in.nextToken() == JsonToken.FIELD_NAME) {
            String field = in.currentName();
            JsonToken value = in.nextToken();
            if (field.equals("name") && value.isScalarValue()) {
                name = in.getText();
            } else if (field.equals("elem") && value == JsonToken.START_ARRAY) {
                while (in.nextToken() != JsonToken.END_ARRAY) {
                    JsonNode e = MAPPER.readTree(in);
                    // with a comment or counter {"elem": {"val": …, "comment": …}}, else the value itself
                    JsonNode val = e.has("elem") ? e.path("elem").path("val") : e;
                    String comment = e.path("elem").path("comment").asText("");
                    elements.add(new long[] {ElementDigest.canonical(ElementDigest.EMPTY, val),
                            ElementDigest.text(comment)});
                }
            } else {
                in.skipChildren();
            }
        }
        long set = ElementDigest.text(name);
        for (long[] e : elements) {
            digest.add(set, e[0], e[1]);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Each counted rule: chain, comment, packets, bytes, in table order. A rule matching a counted set (a run of
     * conduits, {@link ConduitSets}) stands for its elements: one row per element comment (per conduit), its
     * elements' counters summed, in the chain of the rule.
     */
    List<Map<String, Object>> counters() {
        Map<String, List<Map<String, Object>>> sets = countedSets();
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode o : objects) {
            JsonNode rule = o.path("rule");
            String chain = rule.path("chain").asText();
            for (Iterator<JsonNode> it = rule.path("expr").elements(); it.hasNext();) {
                JsonNode e = it.next();
                JsonNode counter = e.path("counter");
                if (counter.isObject()) {
                    out.add(row(chain, rule.path("comment").asText(""), counter.path("packets").asLong(),
                            counter.path("bytes").asLong()));
                }
                String right = e.path("match").path("right").asText("");
                if (right.startsWith("@")) {
                    sets.getOrDefault(right.substring(1), List.of()).forEach(r -> {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("chain", chain);
                        row.putAll(r);
                        out.add(row);
                    });
                }
            }
        }
        return out;
    }

    /** The rows of each set whose elements count: {rule, packets, bytes} per distinct element comment. */
    private Map<String, List<Map<String, Object>>> countedSets() {
        Map<String, List<Map<String, Object>>> sets = new LinkedHashMap<>();
        for (JsonNode o : objects) {
            JsonNode set = o.path("set");
            Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
            for (JsonNode elem : set.path("elem")) {
                JsonNode counter = elem.path("elem").path("counter");
                if (counter.isObject()) {
                    String comment = elem.path("elem").path("comment").asText("");
                    Map<String, Object> row = rows.computeIfAbsent(comment, c -> row(null, c, 0, 0));
                    row.merge("packets", counter.path("packets").asLong(), (a, b) -> (Long) a + (Long) b);
                    row.merge("bytes", counter.path("bytes").asLong(), (a, b) -> (Long) a + (Long) b);
                }
            }
            if (!rows.isEmpty()) {
                sets.put(set.path("name").asText(), new ArrayList<>(rows.values()));
            }
        }
        return sets;
    }

    private static Map<String, Object> row(String chain, String comment, long packets, long bytes) {
        Map<String, Object> row = new LinkedHashMap<>();
        if (chain != null) {
            row.put("chain", chain);
        }
        row.put("rule", comment);
        row.put("packets", packets);
        row.put("bytes", bytes);
        return row;
    }

    /** Each base chain's policy. */
    Map<String, Object> policies() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (JsonNode o : objects) {
            JsonNode chain = o.path("chain");
            if (chain.has("policy")) {
                out.put(chain.path("name").asText(), chain.path("policy").asText());
            }
        }
        return out;
    }
}
