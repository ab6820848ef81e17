package io.isthmus.firewall;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * What a table is made of, as both the plan and nft's listing tell it: each chain's name and policy with the
 * comments of its rules in order, and the names of its sets. A drift check compares a listing's skeleton with the
 * plan's right after a write, before the listing's full shape ({@link TableListing#shapeDigest}) has been taken
 * as the baseline: a rule added, removed or moved from outside, a chain flushed or its policy changed, a set
 * deleted is drift from the first check on. Chains and sets in any order (nft lists them in its own); the rules of
 * a chain in their order.
 */
final class TableSkeleton {
    private final Map<String, Chain> chains = new TreeMap<>();
    private final TreeSet<String> sets = new TreeSet<>();

    private static final class Chain {
        String policy = "";
        int rules;
        final CRC32C comments = new CRC32C();
    }

    void chain(String name, String policy) {
        chains.computeIfAbsent(name, n -> new Chain()).policy = policy;
    }

    void set(String name) {
        sets.add(name);
    }

    void rule(String chain, String comment) {
        Chain c = chains.computeIfAbsent(chain, n -> new Chain());
        c.rules++;
        byte[] text = comment.getBytes(StandardCharsets.UTF_8);
        c.comments.update(text.length >>> 8);
        c.comments.update(text.length);
        c.comments.update(text);
    }

    String value() {
        StringBuilder out = new StringBuilder();
        chains.forEach((name, c) -> out.append("chain ").append(name).append(' ').append(c.policy).append(' ')
                .append(c.rules).append(' ').append(HexFormat.of().toHexDigits((int) c.comments.getValue()))
                .append('\n'));
        sets.forEach(s -> out.append("set ").append(s).append('\n'));
        return out.toString();
    }

    /** The skeleton of an nft JSON listing of the table ({@code {"nftables": [...]}}, terse or full). */
    static String of(String listing) {
        TableSkeleton s = new TableSkeleton();
        TableListing.eachObject(listing, (kind, in) -> object(in, kind, s));
        return s.value();
    }

    /** One listed object's body, the parser on its START_OBJECT (or on a scalar, skipped). */
    private static void object(JsonParser in, String kind, TableSkeleton s) throws IOException {
        if (in.currentToken() != JsonToken.START_OBJECT) {
            in.skipChildren();
            return;
        }
        String name = "";
        String chain = "";
        String policy = "";
        String comment = "";
        while (in.nextToken() == JsonToken.FIELD_NAME) {
            String field = in.currentName();
            JsonToken value = in.nextToken();
            if (value.isScalarValue()) {
                switch (field) {
                    case "name" -> name = in.getText();
                    case "chain" -> chain = in.getText();
                    case "policy" -> policy = in.getText();
                    case "comment" -> comment = in.getText();
                    default -> {
                    }
                }
            } else {
                in.skipChildren();
            }
        }
        switch (kind) {
            case "chain" -> s.chain(name, policy);
            case "set", "map" -> s.set(name);
            case "rule" -> s.rule(chain, comment);
            default -> {
            }
        }
    }
}
