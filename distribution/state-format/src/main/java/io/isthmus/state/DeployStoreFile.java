package io.isthmus.state;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code <state>/deploy/store.json}, written by the deploy bundle at every step of a field update and read by the
 * launcher at boot, before any bundle starts, to put every bundle it lists back on its committed jar:
 * <pre>{"format": 1, "bundles": {"&lt;location&gt;": {@link StoreEntry}, ...}}</pre>
 * The jars lie next to it as {@code jars/<sha256>.jar}. Always replaced whole (temp file, fsync, rename).
 */
public record DeployStoreFile(Map<String, StoreEntry> bundles) {
    /** Format 1: readers ignore members they do not know, so a writer may only add members. */
    public static final int FORMAT = 1;
    public static final String DIRECTORY = "deploy";
    public static final String FILE = "store.json";
    public static final String JARS = "jars";

    public DeployStoreFile {
        bundles = Collections.unmodifiableMap(new LinkedHashMap<>(bundles));
    }

    /** The store's directory in a state directory. */
    public static Path root(Path state) {
        return state.resolve(DIRECTORY);
    }

    /** Where the store keeps the jar with this hash, under the store's directory. */
    public static Path jar(Path root, String sha256) {
        return root.resolve(JARS).resolve(sha256 + ".jar");
    }

    public Map<String, Object> toJson() {
        Map<String, Object> b = new LinkedHashMap<>();
        bundles.forEach((location, entry) -> b.put(location, entry.toJson()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("bundles", b);
        return m;
    }

    public static DeployStoreFile fromJson(Object json) throws StateFormatException {
        Map<?, ?> m = JsonShape.object(json, "");
        Map<String, StoreEntry> entries = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : JsonShape.optionalObject(m, "bundles", "").entrySet()) {
            String location = String.valueOf(e.getKey());
            entries.put(location, StoreEntry.fromJson(location, e.getValue(), "/bundles/" + JsonShape.escape(location)));
        }
        return new DeployStoreFile(entries);
    }
}
