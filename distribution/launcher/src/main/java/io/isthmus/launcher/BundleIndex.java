package io.isthmus.launcher;

import io.isthmus.state.BundleIndexFile;
import io.isthmus.state.StateFormatException;
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
 * a jar is hashed again only when its file is not the one hashed before (an upgrade writes new files). The file's
 * shape is {@link BundleIndexFile} (docs/reference/state-files.md); the deploy bundle reads it too.
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

    static BundleIndex load(Path file) throws LaunchException {
        BundleIndexFile read = BundleIndexFile.empty();
        if (Files.exists(file)) {
            try {
                read = BundleIndexFile.fromJson(JsonFiles.readObject(file));
            } catch (StateFormatException e) {
                throw new LaunchException(file + ": " + e.getMessage());
            }
        }
        return new BundleIndex(file, new LinkedHashMap<>(read.bundles()), new LinkedHashMap<>(read.configurations()),
                new LinkedHashMap<>(read.stamps()));
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
        Files2.writeAtomically(file, JsonFiles.write(new BundleIndexFile(bundles, configurations, stamps).toJson()));
    }
}
