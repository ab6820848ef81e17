package io.isthmus.launcher;

import com.fasterxml.jackson.jr.ob.JSON;
import io.isthmus.api.json.JsonInputException;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.json.JsonValueException;
import io.isthmus.api.json.StrictJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The launcher's JSON files (profiles, features, documents, its state), read by the gateway's one JSON reader: the
 * API's {@link StrictJson} and {@link JsonValue}, whose classes are on the launcher's class path (the API jar is in
 * {@code lib/}, see docs/architecture.md), so a text the launcher accepts is read exactly as the bundles read it.
 * Every error names the file, then the JSON pointer.
 */
final class JsonFiles {
    private JsonFiles() {
    }

    /** The file's JSON object. */
    static JsonValue read(Path file) throws LaunchException {
        return JsonValue.root(readObject(file));
    }

    /** The file's JSON object as plain values (in text order, modifiable). */
    static Map<String, Object> readObject(Path file) throws LaunchException {
        byte[] text;
        try {
            text = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new LaunchException(file + ": file not found");
        } catch (IOException e) {
            throw new LaunchException(file + ": cannot read: " + e.getMessage());
        }
        try {
            return StrictJson.readObject(text);
        } catch (JsonInputException e) {
            throw new LaunchException(file + ": " + e.getMessage() + (e.pointer().isEmpty() ? "" : " (at "
                    + e.pointer() + ")"));
        }
    }

    /** A value of {@code file} that is not what the launcher expects, as the launcher's error. */
    static LaunchException error(Path file, JsonValueException e) {
        return new LaunchException(file + ": " + (e.pointer().isEmpty() ? "" : e.pointer() + ": ") + e.reason());
    }

    static String write(Object value) {
        try {
            return JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
