package io.isthmus.mgmt.credentials;

import io.isthmus.api.config.ManagementConfig.Tls;
import io.isthmus.api.json.JsonInputException;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.json.StrictJson;
import io.isthmus.api.runtime.AtomicFile;
import io.isthmus.mgmt.dispatch.JsonCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Credential sets installed by {@code credentials.rotate}, in a directory only the service user can read. Each
 * set is a directory {@code set-<n>} written whole (files 0600, each synced) before it is tried; {@code
 * current.json} names the set in force and the document's {@code certFile}/{@code keyFile} it stands in for, and
 * is replaced atomically: that rename is the commit. Whatever a crash interrupts, at the next start the pointer
 * names a complete set (or none: the document's files), and sets it does not name are deleted.
 */
public final class CredentialStore {
    static final String POINTER = "current.json";

    /** The set in force and the document files it replaces. */
    public record Installed(CredentialSet set, String replacesCert, String replacesKey, Instant installedAt) {
    }

    private final Path dir;

    public CredentialStore(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    /** At start: drop sets no pointer names (a rotation a crash or restart cut short) and stray temp files. */
    public void recover() throws IOException {
        Optional<String> keep = installed().map(i -> i.set().id());
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(AtomicFile.TEMP_SUFFIX) || (name.startsWith("set-")
                        && !keep.equals(Optional.of(name)))) {
                    delete(p);
                }
            }
        }
    }

    /** The committed set, if any. */
    public Optional<Installed> installed() throws IOException {
        Path pointer = dir.resolve(POINTER);
        if (!Files.exists(pointer)) {
            return Optional.empty();
        }
        try {
            JsonValue p = JsonValue.root(StrictJson.readObject(Files.readAllBytes(pointer)));
            String id = p.member("set", "the set's name").string();
            Path set = dir.resolve(id);
            if (!id.matches("set-[0-9]+") || !Files.exists(set.resolve("cert.pem"))
                    || !Files.exists(set.resolve("key.pem"))) {
                throw new IOException(pointer + " names no complete set: " + id);
            }
            return Optional.of(new Installed(new CredentialSet(id, set, Files.exists(set.resolve("ca.pem"))),
                    p.member("replacesCertFile", "a path").string(), p.member("replacesKeyFile", "a path").string(),
                    Instant.parse(p.member("installedAt", "a time").string())));
        } catch (JsonInputException | RuntimeException e) {
            throw new IOException(pointer + " is unreadable: " + e.getMessage(), e);
        }
    }

    /**
     * The TLS settings to connect with: the installed set stands in for the document's certificate and key while
     * the document still names the files it replaced (a document that names others means the operator chose them).
     */
    public Tls effective(Tls document) throws IOException {
        Optional<Installed> in = installed();
        if (in.isEmpty() || !document.certFile().equals(Optional.of(in.get().replacesCert()))
                || !document.keyFile().equals(Optional.of(in.get().replacesKey()))) {
            return document;
        }
        return with(document, in.get().set());
    }

    /** {@code document} with {@code set}'s files. */
    public static Tls with(Tls document, CredentialSet set) {
        return new Tls(set.caFile().map(Path::toString).or(document::caFile), Optional.of(set.certFile().toString()),
                Optional.of(set.keyFile().toString()));
    }

    /** Writes a new set whole (every file synced, 0600) under a fresh name; nothing uses it yet. */
    public CredentialSet stage(String certificate, String key, Optional<String> ca) throws IOException {
        String id = "set-" + Math.max(System.currentTimeMillis(), lastId() + 1);
        Path set = dir.resolve(id);
        Files.createDirectory(set, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            // AtomicFile's temp files are created 0600 and renamed: the key is never readable by others
            AtomicFile.write(set.resolve("cert.pem"), certificate.getBytes(StandardCharsets.US_ASCII));
            AtomicFile.write(set.resolve("key.pem"), key.getBytes(StandardCharsets.US_ASCII));
            if (ca.isPresent()) {
                AtomicFile.write(set.resolve("ca.pem"), ca.get().getBytes(StandardCharsets.US_ASCII));
            }
            AtomicFile.syncDirectory(dir);
            return new CredentialSet(id, set, ca.isPresent());
        } catch (IOException e) {
            delete(set);
            throw e;
        }
    }

    /** The commit: {@code set} is in force from now on, in place of the document's files; older sets go. */
    public void commit(CredentialSet set, Tls document) throws IOException {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("set", set.id());
        p.put("replacesCertFile", document.certFile().orElseThrow());
        p.put("replacesKeyFile", document.keyFile().orElseThrow());
        p.put("installedAt", Instant.now().toString());
        Optional<String> previous = installed().map(i -> i.set().id());
        AtomicFile.write(dir.resolve(POINTER), new JsonCodec().bytes(p));
        if (previous.isPresent() && !previous.get().equals(set.id())) {
            delete(dir.resolve(previous.get()));
        }
    }

    /** A set that was tried and refused (or never tried): gone. */
    public void discard(CredentialSet set) throws IOException {
        delete(set.dir());
    }

    private long lastId() throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.matches("set-[0-9]+"))
                    .mapToLong(n -> Long.parseLong(n.substring(4))).max().orElse(0);
        }
    }

    private static void delete(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    List<Path> entries() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
