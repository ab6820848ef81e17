package io.isthmus.deploy;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Typed members of a deploy request; a wrong or missing one is a 400 naming its JSON pointer. */
final class Fields {
    static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    static final Pattern SYMBOLIC_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,255}");
    static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    private Fields() {
    }

    static Optional<String> string(Map<String, ?> m, String pointer, String key, Pattern valid, String expected) {
        Object v = m.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String s) || !valid.matcher(s).matches()) {
            throw BadInput.bad(pointer + "/" + key, "expected " + expected + ", got " + kind(v));
        }
        return Optional.of(s);
    }

    static String required(Map<String, ?> m, String pointer, String key, Pattern valid, String expected) {
        return string(m, pointer, key, valid, expected).orElseThrow(() -> BadInput.bad(pointer + "/" + key,
                "missing: expected " + expected));
    }

    static Optional<Long> integer(Map<String, ?> m, String pointer, String key, long min, long max) {
        Object v = m.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if ((v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= min
                && ((Number) v).longValue() <= max) {
            return Optional.of(((Number) v).longValue());
        }
        throw BadInput.bad(pointer + "/" + key, "expected an integer " + min + ".." + max + ", got " + kind(v));
    }

    static long requiredInteger(Map<String, ?> m, String pointer, String key, long min, long max) {
        return integer(m, pointer, key, min, max).orElseThrow(() -> BadInput.bad(pointer + "/" + key,
                "missing: expected an integer " + min + ".." + max));
    }

    static boolean flag(Map<String, ?> m, String key) {
        Object v = m.get(key);
        if (v == null || v instanceof Boolean) {
            return Boolean.TRUE.equals(v);
        }
        throw BadInput.bad("/" + key, "expected true or false, got " + kind(v));
    }

    @SuppressWarnings("unchecked")
    static Optional<Map<String, Object>> object(Map<String, ?> m, String pointer, String key) {
        Object v = m.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Map<?, ?> o) {
            return Optional.of((Map<String, Object>) o);
        }
        throw BadInput.bad(pointer + "/" + key, "expected a JSON object, got " + kind(v));
    }

    static String kind(Object v) {
        if (v instanceof String s) {
            String cut = s.length() > 64 ? s.substring(0, 64) + "…" : s;
            return "\"" + cut.replaceAll("[^\\x20-\\x7e…]", "?") + "\"";
        }
        if (v == null || v instanceof Number || v instanceof Boolean) {
            return String.valueOf(v);
        }
        return v instanceof Map ? "an object" : "an array";
    }
}
