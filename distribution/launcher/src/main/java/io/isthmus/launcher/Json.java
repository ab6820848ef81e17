package io.isthmus.launcher;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads the launcher's JSON files (profiles, features, documents) with jackson-jr into plain maps, by the gateway's
 * rules for JSON it is given: a key given twice in one object, nesting deeper than {@link #MAX_DEPTH} levels and
 * anything after the value are errors. The bundles take these rules from {@code io.isthmus.api.json.StrictJson};
 * the launcher runs before any bundle and outside OSGi, so it keeps this copy: change both together.
 */
final class Json {
    /** As {@code StrictJson.MAX_DEPTH}. */
    static final int MAX_DEPTH = 32;
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build()).build();
    private static final JSON READER = JSON.builder(FACTORY).enable(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS).build();

    private Json() {
    }

    static Map<String, Object> readObject(Path file) throws LaunchException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new LaunchException(file + ": file not found");
        } catch (IOException e) {
            throw new LaunchException(file + ": cannot read: " + e.getMessage());
        }
        try (JsonParser parser = FACTORY.createParser(text)) {
            Object value = READER.anyFrom(parser);
            if (parser.nextToken() != null) {
                throw new LaunchException(file + ": invalid JSON: unexpected content after the end of the value, at "
                        + "line " + parser.currentTokenLocation().getLineNr());
            }
            if (!(value instanceof Map)) {
                throw new LaunchException(file + ": expected a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) value;
            return map;
        } catch (IOException e) {
            throw new LaunchException(file + ": invalid JSON: " + firstLine(e.getMessage()));
        }
    }

    static String write(Object value) {
        try {
            return JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Optional typed member; a wrong type is an error naming the file and the key. */
    static <T> T member(Map<String, Object> object, String key, Class<T> type, T fallback, Path file)
            throws LaunchException {
        Object value = object.get(key);
        if (value == null) {
            return fallback;
        }
        if (!type.isInstance(value)) {
            throw new LaunchException(file + ": \"" + key + "\" must be " + describe(type));
        }
        return type.cast(value);
    }

    private static String describe(Class<?> type) {
        if (type == Map.class) {
            return "an object";
        }
        if (type == List.class) {
            return "an array";
        }
        if (type == String.class) {
            return "a string";
        }
        return type.getSimpleName();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
