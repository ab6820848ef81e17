package io.isthmus.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Writes a {@link Ruleset}'s JSON array object by object as text: sets first (a rule can only refer to a set that
 * exists), then chains and rules in order. Only one object is ever a tree: a table of 10,000 conduits never sits in
 * memory as one (it did not fit the 64 MB heap). The text equals the array's {@code toString()}, so the digest is
 * the one a tree gave.
 */
final class RulesetWriter {
    private final StringBuilder sets = new StringBuilder();
    private final StringBuilder body = new StringBuilder();
    private Optional<ObjectNode> firstRule = Optional.empty();
    private int firstStart;
    private int firstEnd;
    private int rules;
    private int elements;
    private final ElementDigest elementDigest = new ElementDigest();

    /** A small set, its elements plain values. */
    void set(JsonNode set) {
        JsonNode body = set.path("set");
        long name = ElementDigest.text(body.path("name").asText());
        for (JsonNode e : body.path("elem")) {
            elementDigest.add(name, ElementDigest.canonical(ElementDigest.EMPTY, e), ElementDigest.text(""));
        }
        append(sets, set.toString());
    }

    /** Where a set written as text ({@link #setText}) adds its elements. */
    ElementDigest elementDigest() {
        return elementDigest;
    }

    /** A set written elsewhere as text, for sets with many elements. */
    void setText(CharSequence set, int elementCount) {
        append(sets, set);
        elements += elementCount;
    }

    void object(ObjectNode object) {
        if (object.has("rule") && rules++ == 0) {
            firstRule = Optional.of(object);
            firstStart = body.length() + (body.length() > 0 ? 1 : 0);
            append(body, object.toString());
            firstEnd = body.length();
            return;
        }
        append(body, object.toString());
    }

    private static void append(StringBuilder to, CharSequence text) {
        if (to.length() > 0) {
            to.append(',');
        }
        to.append(text);
    }

    /** The digest covers everything as written; then it is stamped into the first rule's comment. */
    Ruleset finish() {
        StringBuilder all = new StringBuilder(sets.length() + body.length() + 64).append('[').append(sets);
        int bodyAt = all.length() + (sets.length() > 0 && body.length() > 0 ? 1 : 0);
        if (sets.length() > 0 && body.length() > 0) {
            all.append(',');
        }
        all.append(body).append(']');
        String digest = sha(all);
        firstRule.ifPresent(o -> {
            ObjectNode rule = (ObjectNode) o.get("rule");
            rule.put("comment", rule.path("comment").asText() + " (ruleset " + digest + ")");
            all.replace(bodyAt + firstStart, bodyAt + firstEnd, o.toString());
        });
        return new Ruleset(all.toString(), digest, rules, elements, elementDigest.value());
    }

    private static String sha(CharSequence text) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            // in slices: the whole text as one byte array would be a second copy of the table
            for (int at = 0, end; at < text.length(); at = end) {
                end = Math.min(text.length(), at + 65536);
                if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                    end--; // a pair encodes whole or not at all
                }
                d.update(text.subSequence(at, end).toString().getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(d.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
