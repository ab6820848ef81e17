package io.isthmus.state;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code <state>/launcher/bundles.json}, written by the launcher at every boot: per bundle location the SHA-256 of
 * the distribution jar it installed ({@code bundles}), per configuration PID the hash of the feature's properties it
 * applied ({@code configurations}), and per location the stamp (size:mtime:inode) of the jar file it hashed
 * ({@code stamps}):
 * <pre>{"bundles": {"&lt;location&gt;": "&lt;sha256&gt;"}, "configurations": {"&lt;pid&gt;": "&lt;sha256&gt;"},
 *  "stamps": {"&lt;location&gt;": "&lt;size&gt;:&lt;mtime ms&gt;:&lt;file key&gt;"}}</pre>
 * The deploy bundle reads {@code bundles} to find the distribution jar a bundle runs, the version a first field
 * update can go back to.
 */
public record BundleIndexFile(Map<String, String> bundles, Map<String, String> configurations,
        Map<String, String> stamps) {
    public static final String DIRECTORY = "launcher";
    public static final String FILE = "bundles.json";

    public BundleIndexFile {
        bundles = copy(bundles);
        configurations = copy(configurations);
        stamps = copy(stamps);
    }

    public static BundleIndexFile empty() {
        return new BundleIndexFile(Map.of(), Map.of(), Map.of());
    }

    /** The file in a state directory. */
    public static Path path(Path state) {
        return state.resolve(DIRECTORY).resolve(FILE);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bundles", new LinkedHashMap<>(bundles));
        m.put("configurations", new LinkedHashMap<>(configurations));
        m.put("stamps", new LinkedHashMap<>(stamps));
        return m;
    }

    public static BundleIndexFile fromJson(Object json) throws StateFormatException {
        Map<?, ?> m = JsonShape.object(json, "");
        return new BundleIndexFile(strings(m, "bundles"), strings(m, "configurations"), strings(m, "stamps"));
    }

    private static Map<String, String> strings(Map<?, ?> m, String key) throws StateFormatException {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : JsonShape.optionalObject(m, key, "").entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new StateFormatException("/" + key + "/" + JsonShape.escape(e.getKey()), "must be a string");
            }
            out.put(String.valueOf(e.getKey()), s);
        }
        return out;
    }

    private static Map<String, String> copy(Map<String, String> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
}
