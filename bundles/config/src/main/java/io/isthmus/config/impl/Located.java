package io.isthmus.config.impl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A JSON value together with the RFC 6901 pointer that leads to it, so every error can name its place. */
record Located(JsonNode json, String pointer) {

    static Located root(JsonNode json) {
        return new Located(json, "");
    }

    /** The member {@code key} of this object; empty when absent (a JSON null is present, and reported by type checks). */
    Optional<Located> get(String key) {
        JsonNode child = json.get(key);
        return child == null ? Optional.empty() : Optional.of(member(key));
    }

    Located member(String key) {
        return new Located(json.get(key), child(pointer, key));
    }

    /** The members of this object in document order. */
    List<Located> members() {
        List<Located> out = new ArrayList<>();
        json.properties().forEach(e -> out.add(member(e.getKey())));
        return out;
    }

    /** The last token of the pointer, unescaped: the member name of an object entry. */
    String name() {
        String token = pointer.substring(pointer.lastIndexOf('/') + 1);
        return token.replace("~1", "/").replace("~0", "~");
    }

    List<Located> elements() {
        List<Located> out = new ArrayList<>();
        for (int i = 0; i < json.size(); i++) {
            out.add(new Located(json.get(i), pointer + "/" + i));
        }
        return out;
    }

    /** Appends one reference token, escaping '~' and '/' as RFC 6901 requires. */
    static String child(String pointer, String key) {
        return pointer + "/" + key.replace("~", "~0").replace("/", "~1");
    }

    /** How a value is shown in messages: strings quoted (and shortened), containers by their type. */
    String describe() {
        if (json.isObject()) {
            return "an object";
        }
        if (json.isArray()) {
            return "an array";
        }
        if (json.isTextual()) {
            return quote(json.textValue());
        }
        return json.toString();
    }

    static String quote(String text) {
        String shown = text.length() > 60 ? text.substring(0, 57) + "..." : text;
        return "\"" + shown.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
