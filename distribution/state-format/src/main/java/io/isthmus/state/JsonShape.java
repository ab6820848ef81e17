package io.isthmus.state;

import java.util.Map;
import java.util.Optional;

/**
 * Reads the plain maps a JSON library gives (the launcher's jackson-jr, the deploy bundle's Jackson) by the state
 * files' shape; keys nobody defines are ignored, so a newer writer may add some.
 */
final class JsonShape {
    private JsonShape() {
    }

    static Map<?, ?> object(Object value, String pointer) throws StateFormatException {
        if (value instanceof Map<?, ?> m) {
            return m;
        }
        throw new StateFormatException(pointer, "must be an object");
    }

    static Map<?, ?> optionalObject(Map<?, ?> parent, String key, String pointer) throws StateFormatException {
        Object value = parent.get(key);
        return value == null ? Map.of() : object(value, pointer + "/" + escape(key));
    }

    static String string(Map<?, ?> parent, String key, String pointer) throws StateFormatException {
        Object value = parent.get(key);
        if (value instanceof String s) {
            return s;
        }
        throw new StateFormatException(pointer + "/" + escape(key), value == null ? "is missing" : "must be a string");
    }

    static Optional<Map<?, ?>> member(Map<?, ?> parent, String key, String pointer) throws StateFormatException {
        Object value = parent.get(key);
        return value == null ? Optional.empty() : Optional.of(object(value, pointer + "/" + escape(key)));
    }

    /** RFC 6901: a key as one reference token. */
    static String escape(Object key) {
        return String.valueOf(key).replace("~", "~0").replace("/", "~1");
    }
}
