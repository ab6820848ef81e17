package io.isthmus.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the launcher installed from the distribution: per bundle location the SHA-256 of the
 * distribution jar it came from, and per configuration PID the hash of the feature's properties.
 * A bundle whose distribution jar is unchanged is left alone, so a field update survives a restart;
 * a changed distribution jar (the distribution was upgraded) replaces it.
 */
final class BundleIndex {
    private final Path file;
    private final Map<String, String> bundles;
    private final Map<String, String> configurations;

    private BundleIndex(Path file, Map<String, String> bundles, Map<String, String> configurations) {
        this.file = file;
        this.bundles = bundles;
        this.configurations = configurations;
    }

    @SuppressWarnings("unchecked")
    static BundleIndex load(Path file) throws LaunchException {
        if (!Files.exists(file)) {
            return new BundleIndex(file, new LinkedHashMap<>(), new LinkedHashMap<>());
        }
        Map<String, Object> json = Json.readObject(file);
        Map<String, String> b = new LinkedHashMap<>();
        Map<String, String> c = new LinkedHashMap<>();
        ((Map<String, Object>) json.getOrDefault("bundles", Map.of())).forEach((k, v) -> b.put(k, String.valueOf(v)));
        ((Map<String, Object>) json.getOrDefault("configurations", Map.of()))
                .forEach((k, v) -> c.put(k, String.valueOf(v)));
        return new BundleIndex(file, b, c);
    }

    String bundleHash(String location) {
        return bundles.get(location);
    }

    void bundleInstalled(String location, String sha256) {
        bundles.put(location, sha256);
    }

    void bundleRemoved(String location) {
        bundles.remove(location);
    }

    String configurationHash(String pid) {
        return configurations.get(pid);
    }

    void configurationApplied(String pid, String hash) {
        configurations.put(pid, hash);
    }

    void save() throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("bundles", bundles);
        json.put("configurations", configurations);
        Files2.writeAtomically(file, Json.write(json));
    }
}
