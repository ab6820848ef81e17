package io.isthmus.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.isthmus.api.json.StrictJson;
import io.isthmus.api.runtime.AtomicFile;
import io.isthmus.state.DeployStoreFile;
import io.isthmus.state.StateFormatException;
import io.isthmus.state.StoreEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The field-update store under {@code <state>/deploy/}: content-addressed jars ({@code jars/<sha256>.jar}), the
 * incoming area of transfers, and {@code store.json} — per bundle location the committed jar, the previous one,
 * the origin and a pending change. The launcher reads the same file at boot (see docs/deploy.md): a pending
 * change is written before the framework is touched and cleared only at commit or rollback, so a crash at any
 * point boots the committed jar. The file's shape is {@link DeployStoreFile} (docs/reference/state-files.md).
 */
final class Store {
    static final String FILE = DeployStoreFile.FILE;
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private final Path root;
    private final ObjectMapper mapper = new ObjectMapper(StrictJson.factory())
            .enable(SerializationFeature.INDENT_OUTPUT);
    private final Map<String, StoreEntry> entries = new LinkedHashMap<>();

    private Store(Path root) {
        this.root = root;
    }

    static Store open(Path root) throws IOException {
        Store s = new Store(root);
        Files.createDirectories(s.jars());
        Files.createDirectories(s.incomingRoot());
        Path file = root.resolve(FILE);
        if (Files.exists(file)) {
            Map<String, Object> json = s.mapper.readValue(file.toFile(), OBJECT);
            try {
                s.entries.putAll(DeployStoreFile.fromJson(json).bundles());
            } catch (StateFormatException e) {
                throw new IOException(file + ": " + e.getMessage(), e);
            }
        }
        return s;
    }

    Path root() {
        return root;
    }

    synchronized Optional<StoreEntry> entry(String location) {
        return Optional.ofNullable(entries.get(location));
    }

    synchronized Map<String, StoreEntry> entries() {
        return Map.copyOf(entries);
    }

    /** Replaces the entry and writes store.json atomically before returning. */
    synchronized void put(StoreEntry entry) throws IOException {
        Map<String, StoreEntry> next = new LinkedHashMap<>(entries);
        next.put(entry.location(), entry);
        save(next);
    }

    synchronized void remove(String location) throws IOException {
        Map<String, StoreEntry> next = new LinkedHashMap<>(entries);
        next.remove(location);
        save(next);
    }

    private void save(Map<String, StoreEntry> next) throws IOException {
        AtomicFile.write(root.resolve(FILE), mapper.writeValueAsBytes(new DeployStoreFile(next).toJson()));
        entries.clear();
        entries.putAll(next);
    }

    Path jar(String sha256) {
        return DeployStoreFile.jar(root, sha256);
    }

    /** Keeps a verified jar under its hash (written whole, fsynced) and returns where it lies. */
    Path keep(Path verified, String sha256) throws IOException {
        Path target = jar(sha256);
        if (!Files.exists(target)) {
            AtomicFile.copy(verified, target);
        }
        return target;
    }

    Path incoming(String job) throws IOException {
        return Files.createDirectories(incomingRoot().resolve(job));
    }

    void dropIncoming(String job) {
        deleteTree(incomingRoot().resolve(job));
    }

    /** Removes jars no entry refers to (after a commit or rollback; never a pending target). */
    synchronized void collect() {
        Set<String> used = new HashSet<>();
        for (StoreEntry e : entries.values()) {
            e.current().ifPresent(j -> used.add(j.sha256() + ".jar"));
            e.previous().ifPresent(j -> used.add(j.sha256() + ".jar"));
            e.pending().flatMap(StoreEntry.Pending::target).ifPresent(j -> used.add(j.sha256() + ".jar"));
        }
        try (Stream<Path> s = Files.list(jars())) {
            s.filter(p -> !used.contains(p.getFileName().toString())).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // garbage stays until the next collection
        }
    }

    private Path jars() {
        return root.resolve(DeployStoreFile.JARS);
    }

    private Path incomingRoot() {
        return root.resolve("incoming");
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // left for the next start
        }
    }
}
