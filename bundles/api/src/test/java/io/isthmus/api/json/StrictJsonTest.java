package io.isthmus.api.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StrictJsonTest {
    static String nested(int levels) {
        return "{\"a\":".repeat(levels - 1) + "{}" + "}".repeat(levels - 1);
    }

    @Test
    void readsPlainValuesInTextOrder() throws Exception {
        Map<String, Object> o = StrictJson.readObject("{\"b\": [1, 5000000000, 100000000000000000000, 1.5, true, null,"
                + " \"x\"], \"a\": {}}");
        assertEquals(List.of("b", "a"), List.copyOf(o.keySet()));
        assertEquals(java.util.Arrays.asList(1, 5000000000L, new BigInteger("100000000000000000000"), 1.5, true, null,
                "x"), o.get("b"));
    }

    @Test
    void aDuplicateKeyIsAnErrorWithThePointerOfTheSecond() {
        JsonInputException e = assertThrows(JsonInputException.class, () -> StrictJson.read(
                "{\"firewall\": {}, \"ports\": [{\"x\": 1, \"x\": 2}]}"));
        assertEquals(JsonInputException.Kind.DUPLICATE_KEY, e.kind());
        assertEquals("/ports/0/x", e.pointer());
        assertTrue(e.getMessage().startsWith("invalid JSON at line 1, column "), e.getMessage());

        e = assertThrows(JsonInputException.class, () -> StrictJson.read("{\"firewall\": {}, \"firewall\": {}}"));
        assertEquals("/firewall", e.pointer());
    }

    @Test
    void thirtyTwoLevelsAreReadAndThirtyThreeAreNot() throws Exception {
        StrictJson.read(nested(StrictJson.MAX_DEPTH));
        for (int levels : new int[] {StrictJson.MAX_DEPTH + 1, 600, 5000, 100_000}) {
            JsonInputException e = assertThrows(JsonInputException.class, () -> StrictJson.read(nested(levels)));
            assertEquals(JsonInputException.Kind.TOO_DEEP, e.kind());
            assertEquals("/a".repeat(StrictJson.MAX_DEPTH), e.pointer(), "the first value too deep");
        }
        JsonInputException e = assertThrows(JsonInputException.class, () -> StrictJson.read(
                "{\"l\": " + "[".repeat(600) + "]".repeat(600) + "}"));
        assertEquals("/l" + "/0".repeat(StrictJson.MAX_DEPTH - 1), e.pointer());
    }

    @Test
    void anEmptyTextTrailingContentAndANonObjectAreErrors() {
        assertEquals(JsonInputException.Kind.EMPTY, assertThrows(JsonInputException.class,
                () -> StrictJson.readObject(" \n")).kind());
        assertEquals(JsonInputException.Kind.SYNTAX, assertThrows(JsonInputException.class,
                () -> StrictJson.readObject("{} {}")).kind());
        assertEquals(JsonInputException.Kind.SYNTAX, assertThrows(JsonInputException.class,
                () -> StrictJson.readObject("{\"a\": tru}")).kind());
        assertEquals(JsonInputException.Kind.NOT_AN_OBJECT, assertThrows(JsonInputException.class,
                () -> StrictJson.readObject("[1]")).kind());
        assertEquals(JsonInputException.Kind.SYNTAX, assertThrows(JsonInputException.class,
                () -> StrictJson.readObject(new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'})).kind());
    }

    @Test
    void aControlCharacterInADuplicateKeyIsEscapedInTheMessage() {
        JsonInputException e = assertThrows(JsonInputException.class, () -> StrictJson.read(
                "{\"a\\u0000\\u001b[2J\": 1, \"a\\u0000\\u001b[2J\": 2}"));
        assertTrue(e.getMessage().contains("a\\u0000\\u001b[2J"), e.getMessage());
        assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20), e.getMessage());
    }

    @Test
    void theFactoryAppliesTheSameRules() throws Exception {
        var f = StrictJson.factory();
        try (var p = f.createParser("{\"a\": 1, \"a\": 2}")) {
            assertThrows(java.io.IOException.class, () -> {
                while (p.nextToken() != null) {
                    // reading to the end
                }
            });
        }
        assertEquals(StrictJson.MAX_DEPTH, f.streamReadConstraints().getMaxNestingDepth());
    }

    @Test
    void aNameBeyondJacksonsLengthLimitIsASyntaxErrorNotNesting() {
        JsonInputException e = assertThrows(JsonInputException.class, () -> StrictJson.read(
                "{\"" + "e".repeat(100_000) + "\": 1}"));
        assertEquals(JsonInputException.Kind.SYNTAX, e.kind());
        assertEquals("", e.pointer());
    }
}
