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
        try (JsonParser in = MAPPER.getFactory().createParser(json)) {
            for (JsonToken t = in.nextToken(); t != null; t = in.nextToken()) {
                if (t == JsonToken.FIELD_NAME && IGNORED.contains(in.currentName())) {
                    in.nextToken();
                    in.skipChildren(); // metainfo is an object; the others are numbers
                    continue;
                }
                digest.update((t.name() + ':' + (t.isScalarValue() || t == JsonToken.FIELD_NAME ? in.getText() : "")
                        + '\n').getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable nft -j output: " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Each counted rule: chain, comment, packets, bytes, in table order. */
    List<Map<String, Object>> counters() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode o : objects) {
            JsonNode rule = o.path("rule");
            for (Iterator<JsonNode> it = rule.path("expr").elements(); it.hasNext();) {
                JsonNode counter = it.next().path("counter");
                if (counter.isObject()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("chain", rule.path("chain").asText());
                    row.put("rule", rule.path("comment").asText(""));
                    row.put("packets", counter.path("packets").asLong());
                    row.put("bytes", counter.path("bytes").asLong());
                    out.add(row);
                }
            }
        }
        return out;
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
