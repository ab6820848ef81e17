package io.isthmus.mgmt;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Typed members of a request object; a wrong type or value is a {@link BadRequest} naming its pointer. */
final class Requests {
    private Requests() {
    }

    static Optional<String> string(Map<String, Object> request, String key) {
        Object v = request.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s) {
            return Optional.of(s);
        }
        throw new BadRequest("/" + key, "expected a string, got " + kind(v));
    }

    static String requiredString(Map<String, Object> request, String key, Pattern valid, String expected) {
        String s = string(request, key).orElseThrow(() -> new BadRequest("/" + key, "missing: expected " + expected));
        if (!valid.matcher(s).matches()) {
            throw new BadRequest("/" + key, "expected " + expected + ", got \"" + printable(s) + "\"");
        }
        return s;
    }

    static Optional<String> optionalString(Map<String, Object> request, String key, Pattern valid, String expected) {
        Optional<String> s = string(request, key);
        if (s.isPresent() && !valid.matcher(s.get()).matches()) {
            throw new BadRequest("/" + key, "expected " + expected + ", got \"" + printable(s.get()) + "\"");
        }
        return s;
    }

    static Optional<Long> integer(Map<String, Object> request, String key, long min, long max) {
        Object v = request.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if ((v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= min
                && ((Number) v).longValue() <= max) {
            return Optional.of(((Number) v).longValue());
        }
        throw new BadRequest("/" + key, "expected an integer " + min + ".." + max + ", got " + kind(v));
    }

    static boolean flag(Map<String, Object> request, String key) {
        Object v = request.get(key);
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw new BadRequest("/" + key, "expected true or false, got " + kind(v));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Map<String, Object> request, String key) {
        Object v = request.get(key);
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new BadRequest("/" + key, v == null ? "missing: expected a JSON object" : "expected a JSON object, got "
                + kind(v));
    }

    static String kind(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            return "the string \"" + printable(s) + "\"";
        }
        if (v instanceof Number || v instanceof Boolean) {
            return String.valueOf(v);
        }
        return v instanceof Map ? "an object" : "an array";
    }

    /**
     * Text from a request as it may appear in a message or the log: at most {@code max} characters, every control
     * character escaped (a NUL, an escape sequence), quotes and backslashes escaped.
     */
    static String escaped(String s, int max) {
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < s.length() && shown < max; i++, shown++) {
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '"' || c == '\\' || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return s.length() > max ? out + "…" : out.toString();
    }

    private static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "…" : s;
        return cut.replaceAll("[^\\x20-\\x7e…]", "?");
    }
}
