package io.isthmus.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the launcher installed from the distribution: per bundle location the SHA-256 of the
 * distribution jar it came from, and per configuration PID the hash of the feature's properties.
 * A bundle whose distribution jar is unchanged is left alone, so a field update survives a restart;
 * a changed distribution jar (the distribution was upgraded) replaces it. Hashing every jar on every boot
 * costs ~100 ms on two cores, so each hash is kept with the jar file's stamp (size, modification time, inode):
 * a jar is hashed again only when its file is not the one hashed before (an upgrade writes new files).
 */
final class BundleIndex {
    private final Path file;
    private final Map<String, String> bundles;
    private final Map<String, String> configurations;
    /** Per location: the stamp of the distribution jar whose hash {@link #bundles} holds. */
    private final Map<String, String> stamps;

    private BundleIndex(Path file, Map<String, String> bundles, Map<String, String> configurations,
            Map<String, String> stamps) {
        this.file = file;
        this.bundles = bundles;
        this.configurations = configurations;
        this.stamps = stamps;
    }

    @SuppressWarnings("unchecked")
    static BundleIndex load(Path file) throws LaunchException {
        if (!Files.exists(file)) {
            return new BundleIndex(file, new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
        }
        Map<String, Object> json = JsonFiles.readObject(file);
        Map<String, String> b = new LinkedHashMap<>();
        Map<String, String> c = new LinkedHashMap<>();
        Map<String, String> s = new LinkedHashMap<>();
        ((Map<String, Object>) json.getOrDefault("stamps", Map.of())).forEach((k, v) -> s.put(k, String.valueOf(v)));
        ((Map<String, Object>) json.getOrDefault("bundles", Map.of())).forEach((k, v) -> b.put(k, String.valueOf(v)));
        ((Map<String, Object>) json.getOrDefault("configurations", Map.of()))
                .forEach((k, v) -> c.put(k, String.valueOf(v)));
        return new BundleIndex(file, b, c, s);
    }

    String bundleHash(String location) {
        return bundles.get(location);
    }

    /**
     * The SHA-256 of the distribution jar for {@code location}: the recorded one while the file is the one that was
     * hashed (same stamp), else computed.
     */
    String jarHash(String location, Path jar) throws IOException {
        String known = bundles.get(location);
        if (known != null && stamp(jar).equals(stamps.get(location))) {
            return known;
        }
        return Files2.sha256(jar);
    }

    void bundleInstalled(String location, String sha256, Path jar) throws IOException {
        bundles.put(location, sha256);
        stamps.put(location, stamp(jar));
    }

    void bundleRemoved(String location) {
        bundles.remove(location);
        stamps.remove(location);
    }

    /** Size, modification time and inode: a new or rewritten file differs in at least one. */
    static String stamp(Path jar) throws IOException {
        BasicFileAttributes a = Files.readAttributes(jar, BasicFileAttributes.class);
        return a.size() + ":" + a.lastModifiedTime().toMillis() + ":" + a.fileKey();
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
        json.put("stamps", stamps);
        Files2.writeAtomically(file, JsonFiles.write(json));
    }
}
