package io.isthmus.api.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class JsonValueTest {
    static JsonValue parse(String json) throws JsonInputException {
        return JsonValue.root(StrictJson.read(json));
    }

    static JsonValueException error(Runnable read) {
        return assertThrows(JsonValueException.class, read::run);
    }

    @Test
    void typedGettersGiveTheValue() throws Exception {
        JsonValue v = parse("{\"s\": \"x\", \"n\": 7, \"b\": true, \"l\": [1, 2], \"o\": {\"a/b\": null}}");
        assertEquals("x", v.required("s", "a string").string());
        assertEquals(7, v.get("n").orElseThrow().integer(0, 10));
        assertTrue(v.get("b").orElseThrow().bool());
        assertEquals(List.of(1L, 2L), v.get("l").orElseThrow().list(e -> e.integer(0, 9)));
        JsonValue member = v.get("o").orElseThrow().get("a/b").orElseThrow();
        assertEquals("/o/a~1b", member.pointer(), "RFC 6901 escaping");
        assertEquals("a/b", member.name());
        assertTrue(member.isNull(), "a JSON null is present");
        assertEquals(Optional.empty(), v.get("absent"));
        assertEquals(Optional.empty(), v.get("s").orElseThrow().get("x"), "a string has no members");
    }

    @Test
    void everyErrorNamesTheValueAndItsPointer() throws Exception {
        JsonValue v = parse("{\"mtu\": 20, \"kind\": \"ethernat\", \"flag\": \"yes\", \"list\": {}, \"n\": 1.5}");
        JsonValueException e = error(() -> v.get("mtu").orElseThrow().integer(68, 9000));
        assertEquals("/mtu", e.pointer());
        assertEquals("expected an integer 68..9000, got 20", e.reason());
        assertEquals("/mtu: expected an integer 68..9000, got 20", e.getMessage());
        assertEquals("unknown port kind \"ethernat\"; expected one of ethernet, wifi",
                error(() -> v.get("kind").orElseThrow().oneOf("port kind", List.of("ethernet", "wifi"))).reason());
        assertEquals("expected true or false, got \"yes\"", error(() -> v.get("flag").orElseThrow().bool()).reason());
        assertEquals("expected an array, got an object", error(() -> v.get("list").orElseThrow().array()).reason());
        assertEquals("expected an integer 0..9, got 1.5", error(() -> v.get("n").orElseThrow().integer(0, 9)).reason());
        assertEquals("expected a string, got 20", error(() -> v.get("mtu").orElseThrow().string()).reason());
        JsonValueException missing = error(() -> v.required("port", "a port name"));
        assertEquals("", missing.pointer(), "a missing member is the enclosing object's error");
        assertEquals("missing \"port\": expected a port name", missing.getMessage());
        assertEquals("expected a hash, got \"ethernat\"", error(() -> v.get("kind").orElseThrow()
                .string(Pattern.compile("[0-9a-f]+"), "a hash")).reason());
    }

    @Test
    void unknownKeysAreErrorsAtTheirOwnPointer() throws Exception {
        JsonValue v = parse("{\"a\": 1, \"typo\": 2, \"other\": 3}");
        assertEquals(List.of("/typo", "/other"), v.unknownKeys(List.of("a")).stream()
                .map(JsonValueException::pointer).toList());
        assertEquals("/typo: unknown key \"typo\"; expected one of a", error(() -> v.object(List.of("a")))
                .getMessage());
    }

    @Test
    void textInMessagesIsEscapedAndShortened() {
        assertEquals("\"a\\\"b\\u0000\\u001b[2J\"", JsonValue.quote("a\"b\u0000\u001b[2J"));
        assertEquals(60, JsonValue.quote("x".repeat(100)).length() - 2);
    }

    @Test
    void plainValuesAreUnmodifiable() throws Exception {
        Object plain = parse("{\"a\": [1]}").plain();
        assertThrows(UnsupportedOperationException.class, () -> ((Map<String, Object>) plain).put("b", 2));
        assertThrows(UnsupportedOperationException.class,
                () -> ((List<Object>) ((Map<?, ?>) plain).get("a")).add(2));
    }

    @Test
    void aReaderCollectsEveryErrorInsteadOfStopping() throws Exception {
        JsonValue v = parse("{\"a\": \"x\", \"b\": 5, \"c\": [1, \"two\", 3], \"d\": 1}");
        JsonReader in = new JsonReader();
        in.object(v, List.of("a", "b", "c"));
        assertEquals(Optional.empty(), in.integer(v.get("a").orElseThrow(), 0, 9));
        assertEquals(Optional.of(5), in.integer(v.get("b").orElseThrow(), 0, 9));
        assertEquals(List.of(1, 3), in.optionalList(v, "c", e -> in.integer(e, 0, 9)));
        assertEquals(List.of("/d", "/a", "/c/1"), in.errors().stream().map(JsonValueException::pointer).toList());
        assertTrue(in.hasErrors());
        assertFalse(new JsonReader().hasErrors());
    }
}
