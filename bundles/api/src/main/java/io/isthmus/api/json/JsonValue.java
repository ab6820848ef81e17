package io.isthmus.api.json;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One value of a parsed JSON text (the plain values {@link StrictJson#read} gives) together with its RFC 6901 pointer,
 * so that every error names its place. Immutable: navigating gives new views, never changes the tree.
 *
 * <p>The typed getters ({@link #string()}, {@link #integer(long, long)}, {@link #oneOf}, …) return the value or
 * throw a {@link JsonValueException} with this value's pointer and a message in one style: {@code expected <what>, got
 * <value>}. Optional members read as {@code value.get("key").map(JsonValue::string)}. A reader that wants every
 * error of a document at once, not the first, uses a {@link JsonReader}.
 */
@ProviderType
public final class JsonValue {
    private static final int SHOWN = 60;

    private final Object value;
    private final String pointer;

    private JsonValue(Object value, String pointer) {
        this.value = value;
        this.pointer = pointer;
    }

    /** The root of a parsed text ({@link StrictJson#read}): pointer {@code ""}. */
    public static JsonValue root(Object plain) {
        return new JsonValue(plain, "");
    }

    /** A value found at {@code pointer} of a larger text (say, a section handed over by the config bundle). */
    public static JsonValue at(String pointer, Object plain) {
        return new JsonValue(plain, pointer);
    }

    public String pointer() {
        return pointer;
    }

    /** The last reference token of the pointer, unescaped: the member name of an object entry. */
    public String name() {
        String token = pointer.substring(pointer.lastIndexOf('/') + 1);
        return token.replace("~1", "/").replace("~0", "~");
    }

    /**
     * The value as unmodifiable plain Java values (Map in text order, List, String, Number, Boolean, null), for code
     * that keeps it as it is (a section of another bundle, a driver's settings).
     */
    public Object plain() {
        return plain(value);
    }

    /** This object as unmodifiable plain values ({@link #plain()}); an error when it is no object. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> plainObject() {
        return (Map<String, Object>) plain(object().value);
    }

    public boolean isNull() {
        return value == null;
    }

    public boolean isObject() {
        return value instanceof Map;
    }

    public boolean isArray() {
        return value instanceof List;
    }

    /** A whole number (not 1.0, which is a fraction in JSON's sense here). */
    public boolean isInteger() {
        return value instanceof Integer || value instanceof Long || value instanceof BigInteger;
    }

    public boolean isString() {
        return value instanceof String;
    }

    /** The member {@code key} of an object; empty when absent or when this is no object. A JSON null is present. */
    public Optional<JsonValue> get(String key) {
        return value instanceof Map<?, ?> m && m.containsKey(key) ? Optional.of(member(key, m.get(key)))
                : Optional.empty();
    }

    /**
     * The member {@code key} when it is given: absent and JSON null both mean "not given" (a request's optional
     * member; a document's sections use {@link #get}, where null is a wrong value).
     */
    public Optional<JsonValue> optional(String key) {
        return get(key).filter(v -> !v.isNull());
    }

    /**
     * The member {@code key}, given and not null; else an error at the member's own pointer, {@code missing:
     * expected <expected>}: the style of requests, whose error pointer names what is missing. (A document names the
     * object that lacks it: {@link #required}.)
     */
    public JsonValue member(String key, String expected) {
        return optional(key).orElseThrow(() -> new JsonValueException(pointer + "/" + StrictJson.escape(key),
                "missing: expected " + expected));
    }

    /** Whether an object has member {@code key} (null or not). */
    public boolean has(String key) {
        return value instanceof Map<?, ?> m && m.containsKey(key);
    }

    /** The members of an object in text order; none for any other value. */
    public List<JsonValue> members() {
        List<JsonValue> out = new ArrayList<>();
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.add(member(String.valueOf(k), v)));
        }
        return out;
    }

    /** The elements of an array; none for any other value. */
    public List<JsonValue> elements() {
        List<JsonValue> out = new ArrayList<>();
        if (value instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                out.add(new JsonValue(l.get(i), pointer + "/" + i));
            }
        }
        return out;
    }

    /** An error at this value: for a rule the getters do not know (a cross-field check, a domain format). */
    public JsonValueException error(String reason) {
        return new JsonValueException(pointer, reason);
    }

    /** This value, which must be an object. */
    public JsonValue object() {
        if (isObject()) {
            return this;
        }
        throw error("expected an object, got " + describe());
    }

    /** This value, which must be an object whose members are all among {@code keys}: a typo is never ignored. */
    public JsonValue object(Collection<String> keys) {
        List<JsonValueException> unknown = object().unknownKeys(keys);
        if (!unknown.isEmpty()) {
            throw unknown.get(0);
        }
        return this;
    }

    /** One error per member of this object not among {@code keys}, in text order. */
    public List<JsonValueException> unknownKeys(Collection<String> keys) {
        return members().stream().filter(m -> !keys.contains(m.name())).map(m -> m.error("unknown key "
                + quote(m.name()) + "; expected one of " + String.join(", ", keys))).toList();
    }

    /** A member that must be present; when it is missing the error names this object. */
    public JsonValue required(String key, String expected) {
        return get(key).orElseThrow(() -> error("missing " + quote(key) + ": expected " + expected));
    }

    /** The elements of this array. */
    public List<JsonValue> array() {
        if (isArray()) {
            return elements();
        }
        throw error("expected an array, got " + describe());
    }

    /** The elements of this array, each read by {@code element}. */
    public <T> List<T> list(Function<JsonValue, T> element) {
        return array().stream().map(element).toList();
    }

    public String string() {
        if (value instanceof String s) {
            return s;
        }
        throw error("expected a string, got " + describe());
    }

    public String nonEmptyString() {
        String s = string();
        if (s.isBlank()) {
            throw error("expected a non-empty string, got " + describe());
        }
        return s;
    }

    /** A string matching {@code pattern}; {@code expected} says what in words, e.g. "a SHA-256 in hex". */
    public String string(Pattern pattern, String expected) {
        if (value instanceof String s && pattern.matcher(s).matches()) {
            return s;
        }
        throw error("expected " + expected + ", got " + describe());
    }

    /** A string {@code parse} accepts, e.g. an address; {@code expected} says what in words. */
    public <T> T parsed(Function<String, Optional<T>> parse, String expected) {
        if (value instanceof String s) {
            Optional<T> parsed = parse.apply(s);
            if (parsed.isPresent()) {
                return parsed.get();
            }
        }
        throw error("expected " + expected + ", got " + describe());
    }

    /** One of a fixed set of words; {@code what} names them in the message, e.g. "port kind". */
    public String oneOf(String what, List<String> allowed) {
        String s = string();
        if (!allowed.contains(s)) {
            throw error("unknown " + what + " " + describe() + "; expected one of " + String.join(", ", allowed));
        }
        return s;
    }

    /** A whole number in {@code min..max}. */
    public long integer(long min, long max) {
        return integer(min, max, "");
    }

    /** A whole number in {@code min..max}; {@code why} explains a bound in the message, e.g. " (an uplink …)". */
    public long integer(long min, long max, String why) {
        if (isInteger()) {
            BigInteger v = value instanceof BigInteger b ? b : BigInteger.valueOf(((Number) value).longValue());
            if (v.compareTo(BigInteger.valueOf(min)) >= 0 && v.compareTo(BigInteger.valueOf(max)) <= 0) {
                return v.longValue();
            }
        }
        throw error("expected an integer " + min + ".." + max + why + ", got " + describe());
    }

    /** {@link #integer(long, long)} for int ranges. */
    public int intValue(int min, int max) {
        return (int) integer(min, max);
    }

    public boolean bool() {
        if (value instanceof Boolean b) {
            return b;
        }
        throw error("expected true or false, got " + describe());
    }

    /** How the value is shown in messages: strings quoted, escaped and shortened, containers by their type. */
    public String describe() {
        if (value instanceof Map) {
            return "an object";
        }
        if (value instanceof List) {
            return "an array";
        }
        if (value instanceof String s) {
            return quote(s);
        }
        return String.valueOf(value);
    }

    /**
     * Text from the input as it may appear in a message or a log line: quoted, at most 60 characters, quotes,
     * backslashes and control characters escaped.
     */
    public static String quote(String text) {
        String shown = text.length() > SHOWN ? text.substring(0, SHOWN - 3) + "..." : text;
        StringBuilder out = new StringBuilder("\"");
        shown.codePoints().forEach(c -> {
            if (c == '"' || c == '\\') {
                out.append('\\').appendCodePoint(c);
            } else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append('"').toString();
    }

    private JsonValue member(String key, Object child) {
        return new JsonValue(child, pointer + "/" + StrictJson.escape(key));
    }

    private static Object plain(Object value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(String.valueOf(k), plain(v)));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> l) {
            List<Object> copy = new ArrayList<>();
            l.forEach(e -> copy.add(plain(e)));
            return Collections.unmodifiableList(copy);
        }
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonValue v && v.pointer.equals(pointer) && java.util.Objects.equals(v.value, value);
    }

    @Override
    public int hashCode() {
        return pointer.hashCode();
    }

    @Override
    public String toString() {
        return (pointer.isEmpty() ? "(root)" : pointer) + " = " + describe();
    }
}
