package io.isthmus.firewall;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code nft -j list table inet isthmus} read back. nft prints a rule in its own normal form (implied
 * {@code meta nfproto} matches, sets sorted), so drift is found by comparing a listing with the listing taken
 * right after our own write, handles and counter values left out.
 */
record TableListing(JsonNode objects) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

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

    /** The content without handles and counter values: equal for an untouched table. */
    JsonNode shape() {
        JsonNode copy = objects.deepCopy();
        strip(copy);
        return copy;
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.remove("handle");
            if (o.get("counter") instanceof ObjectNode c) {
                c.put("packets", 0).put("bytes", 0);
            }
            o.forEach(TableListing::strip);
        } else if (node instanceof ArrayNode a) {
            a.forEach(TableListing::strip);
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
