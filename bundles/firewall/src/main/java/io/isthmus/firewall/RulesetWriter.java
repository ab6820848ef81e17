package io.isthmus.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * Hands a {@link Ruleset}'s objects one by one to a sink (the nft batch they stream into, or a collector) in the
 * order the plan makes them: a set is made before the first rule that refers to it, a chain before its rules.
 * Only one object is ever a tree: a table of 10,000 conduits never sits in memory as one.
 *
 * <p>The digest covers every object as made, in that order; it is stamped into the comment of the last rule,
 * which is held back until the next rule comes (so each chain keeps its rules' order) and written last. It is a
 * CRC32C and a CRC32 of the objects' text (64 bits; hardware instructions, where SHA-256 over a megabyte of table
 * cost ~20 ms of a large plan in the gateway's C1-compiled code): it tells our own plans apart, it does not
 * authenticate anything.
 */
final class RulesetWriter {
    private final Consumer<String> sink;
    private final CRC32C crcC = new CRC32C();
    private final CRC32 crc = new CRC32();
    /** The latest rule, not yet handed on: the last one gets the digest. */
    private Optional<ObjectNode> held = Optional.empty();
    /** The held rule's text as made. */
    private String heldText = "";
    private int rules;
    private int elements;
    private final ElementDigest elementDigest = new ElementDigest();
    private final TableSkeleton skeleton = new TableSkeleton();

    RulesetWriter(Consumer<String> sink) {
        this.sink = sink;
    }

    /** A small set, its elements plain values. */
    void set(JsonNode set) {
        JsonNode body = set.path("set");
        long name = ElementDigest.text(body.path("name").asText());
        for (JsonNode e : body.path("elem")) {
            elementDigest.add(name, ElementDigest.canonical(ElementDigest.EMPTY, e), ElementDigest.text(""));
        }
        skeleton.set(body.path("name").asText());
        pass(digest(set.toString()));
    }

    /** Where a set written as text ({@link #setText}) adds its elements. */
    ElementDigest elementDigest() {
        return elementDigest;
    }

    /** A set made elsewhere as text, for sets with many elements: the set and its first elements. */
    void setText(String name, CharSequence set, int elementCount) {
        skeleton.set(name);
        elementsText(set, elementCount);
    }

    /** An {@code element} object made as text: more elements of the set {@link #setText} just handed on. */
    void elementsText(CharSequence elements, int elementCount) {
        pass(digest(elements.toString()));
        this.elements += elementCount;
    }

    /** A chain or a rule. */
    void object(ObjectNode object) {
        String text = digest(object.toString());
        if (object.has("rule")) {
            rules++;
            held.ifPresent(r -> {
                skeleton.rule(r.path("rule").path("chain").asText(), r.path("rule").path("comment").asText());
                pass(heldText);
            });
            held = Optional.of(object);
            heldText = text;
            return;
        }
        if (object.has("chain")) {
            skeleton.chain(object.path("chain").path("name").asText(), object.path("chain").path("policy").asText());
        }
        pass(text);
    }

    private String digest(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        crcC.update(bytes);
        crc.update(bytes);
        return text;
    }

    private void pass(String text) {
        sink.accept(text);
    }

    /** The digest of everything made, stamped into the last rule's comment, which is handed on last. */
    Ruleset finish() {
        String digest = HexFormat.of().toHexDigits((int) crcC.getValue()) + HexFormat.of().toHexDigits((int) crc.getValue());
        held.ifPresent(o -> {
            ObjectNode rule = (ObjectNode) o.get("rule");
            rule.put("comment", rule.path("comment").asText() + " (ruleset " + digest + ")");
            skeleton.rule(rule.path("chain").asText(), rule.path("comment").asText());
            pass(o.toString());
        });
        return new Ruleset(Optional.empty(), digest, rules, elements, elementDigest.value(), skeleton.value());
    }
}
