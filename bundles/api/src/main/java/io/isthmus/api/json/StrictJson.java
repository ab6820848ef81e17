package io.isthmus.api.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The gateway's rules for JSON it is given, in one place, so a text one path accepts is never read differently by
 * another (a network document over MQTT and from a {@code --config} file, a management request, a deploy file):
 *
 * <ul>
 * <li>a key given twice in one object is an error (else the last one would silently win, and a reviewer of the
 * first would not see what is in force);
 * <li>at most {@link #MAX_DEPTH} levels of nesting: a network document needs fewer than 20, and a bound keeps every
 * recursive walk over a parsed value far from the end of a thread's stack;
 * <li>nothing may follow the value, and a text of only white space is an error, not an empty object.
 * </ul>
 *
 * {@link #read} gives plain Java values (objects as {@code LinkedHashMap} in text order, arrays as {@code List},
 * strings, {@code Integer}/{@code Long}/{@code BigInteger}, {@code Double}, {@code Boolean}, {@code null}), as
 * Jackson's untyped reading does. Code that needs a Jackson tree builds its mapper on {@link #factory()}, which
 * applies the same rules (the pointer of a too-deep value is only known to {@link #read}).
 */
@ProviderType
public final class StrictJson {
    /** Levels of nesting a text may have: the outermost object is level 1. */
    public static final int MAX_DEPTH = 32;

    private StrictJson() {
    }

    /**
     * A Jackson factory with these rules: duplicate keys and nesting deeper than {@link #MAX_DEPTH} fail while
     * parsing. A mapper built on it should also enable {@code DeserializationFeature.FAIL_ON_TRAILING_TOKENS}.
     */
    public static JsonFactory factory() {
        return JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build()).build();
    }

    /** Any JSON value. */
    public static Object read(byte[] json) throws JsonInputException {
        // own duplicate check (not the factory's) so that the error carries the pointer of the second key
        JsonFactory f = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build()).build();
        try (JsonParser p = f.createParser(json)) {
            JsonToken first = next(p, "");
            if (first == null) {
                throw new JsonInputException(JsonInputException.Kind.EMPTY, "", "no JSON value, the text is empty",
                        0, 0);
            }
            Object value = value(p, first, "", 1);
            JsonToken after = next(p, "");
            if (after != null) {
                JsonLocation at = p.currentTokenLocation();
                throw new JsonInputException(JsonInputException.Kind.SYNTAX, "",
                        "unexpected " + after.asString() + " after the end of the value", at.getLineNr(),
                        at.getColumnNr());
            }
            return value;
        } catch (JsonInputException e) {
            throw e;
        } catch (IOException e) {
            // only a parser of a byte array: a read error is a syntax error (say, invalid UTF-8)
            throw new JsonInputException(JsonInputException.Kind.SYNTAX, "", String.valueOf(e.getMessage()), 0, 0);
        }
    }

    public static Object read(String json) throws JsonInputException {
        return read(json.getBytes(StandardCharsets.UTF_8));
    }

    /** A JSON object; any other value is a {@link JsonInputException.Kind#NOT_AN_OBJECT}. */
    public static Map<String, Object> readObject(byte[] json) throws JsonInputException {
        Object value = read(json);
        if (value instanceof Map<?, ?> map) {
            @SuppressWarnings("unchecked")
            Map<String, Object> object = (Map<String, Object>) map;
            return object;
        }
        throw new JsonInputException(JsonInputException.Kind.NOT_AN_OBJECT, "", "expected a JSON object, got "
                + (value instanceof List ? "an array" : value instanceof String ? "a string" : String.valueOf(value)),
                0, 0);
    }

    public static Map<String, Object> readObject(String json) throws JsonInputException {
        return readObject(json.getBytes(StandardCharsets.UTF_8));
    }

    /** An RFC 6901 reference token: {@code ~} as {@code ~0}, {@code /} as {@code ~1}. */
    public static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    /** Recursion is bounded: {@code depth} never exceeds {@link #MAX_DEPTH} (the parser refuses deeper). */
    private static Object value(JsonParser p, JsonToken token, String pointer, int depth) throws IOException {
        switch (token) {
            case START_OBJECT: {
                Map<String, Object> object = new LinkedHashMap<>();
                for (JsonToken t = next(p, pointer); t != JsonToken.END_OBJECT; t = next(p, pointer)) {
                    String key = p.currentName();
                    String at = pointer + "/" + escape(key);
                    if (object.containsKey(key)) {
                        JsonLocation l = p.currentTokenLocation();
                        throw new JsonInputException(JsonInputException.Kind.DUPLICATE_KEY, at, "key \""
                                + printable(key) + "\" given twice in one object", l.getLineNr(), l.getColumnNr());
                    }
                    object.put(key, value(p, next(p, at), at, depth + 1));
                }
                return object;
            }
            case START_ARRAY: {
                List<Object> array = new ArrayList<>();
                for (JsonToken t = next(p, pointer + "/" + 0); t != JsonToken.END_ARRAY;
                        t = next(p, pointer + "/" + array.size())) {
                    array.add(value(p, t, pointer + "/" + array.size(), depth + 1));
                }
                return array;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return p.getNumberValue();
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                JsonLocation l = p.currentTokenLocation();
                throw new JsonInputException(JsonInputException.Kind.SYNTAX, "", "unexpected " + token,
                        l.getLineNr(), l.getColumnNr());
        }
    }

    /** The next token; {@code pointer} names the value it would start, for a nesting error. */
    private static JsonToken next(JsonParser p, String pointer) throws JsonInputException {
        try {
            return p.nextToken();
        } catch (StreamConstraintsException e) {
            JsonLocation l = p.currentLocation();
            if (!String.valueOf(e.getOriginalMessage()).contains("nesting depth")) {
                // another of Jackson's limits (a name or number too long): about the text, pointer ""
                throw new JsonInputException(JsonInputException.Kind.SYNTAX, "", firstLine(e.getOriginalMessage()),
                        l.getLineNr(), l.getColumnNr());
            }
            throw new JsonInputException(JsonInputException.Kind.TOO_DEEP, pointer, "nested deeper than "
                    + MAX_DEPTH + " levels", l.getLineNr(), l.getColumnNr());
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation() != null ? e.getLocation() : p.currentLocation();
            // a syntax error is the text's, not a value's: pointer "" (docs/configuration.md)
            throw new JsonInputException(JsonInputException.Kind.SYNTAX, "", firstLine(e.getOriginalMessage()),
                    l.getLineNr(), l.getColumnNr());
        } catch (IOException e) {
            throw new JsonInputException(JsonInputException.Kind.SYNTAX, "", firstLine(e.getMessage()), 0, 0);
        }
    }

    /** A key as it may appear in a message: control characters escaped, at most 64 characters. */
    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().limit(64).forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '"' || c == '\\') {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return s.codePointCount(0, s.length()) > 64 ? out + "…" : out.toString();
    }

    private static String firstLine(String s) {
        String line = String.valueOf(s).lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
