package io.isthmus.config.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isthmus.api.config.Generation;
import io.isthmus.api.json.StrictJson;
import io.isthmus.api.runtime.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Committed generations on disk, under {@code <state>/config/}:
 *
 * <pre>
 * current                        the number of the generation in force
 * generations/00000007.json      the document exactly as it was given
 * generations/00000007.meta.json {number, committedAt, source, sha256}
 * </pre>
 *
 * Every file is replaced atomically. A generation counts only when its meta file exists and its
 * sha256 matches, so a write torn by a power cut is ignored on the next start.
 */
final class GenerationStore {
    static final int MIN_KEEP = 2;
    private static final Pattern FILE = Pattern.compile("(\\d{8,})\\.(json|meta\\.json)");

    private final Path configDir;
    private final Path generationsDir;
    private final Path currentFile;
    private final Clock clock;
    private final EventLog log;
    private final ObjectMapper mapper = new ObjectMapper(StrictJson.factory());

    // Guarded by this: commits come from the config executor, reads from any thread.
    private final TreeMap<Long, Generation> generations = new TreeMap<>();
    private Optional<Generation> current = Optional.empty();
    private long highestSeen;

    private GenerationStore(Path stateDir, Clock clock, EventLog log) {
        this.configDir = stateDir.resolve("config");
        this.generationsDir = configDir.resolve("generations");
        this.currentFile = configDir.resolve("current");
        this.clock = clock;
        this.log = log;
    }

    /** Opens (creating if needed) the store and recovers from whatever an interrupted run left behind. */
    static GenerationStore open(Path stateDir, Clock clock, EventLog log) throws IOException {
        GenerationStore store = new GenerationStore(stateDir, clock, log);
        store.load();
        return store;
    }

    synchronized Optional<Generation> current() {
        return current;
    }

    /** Kept generations, newest first. */
    synchronized List<Generation> history() {
        return List.copyOf(generations.descendingMap().values());
    }

    synchronized Optional<String> json(long number) {
        if (!generations.containsKey(number)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(jsonFile(number), StandardCharsets.UTF_8));
        } catch (IOException e) {
            log.error("cannot read generation " + number, e);
            return Optional.empty();
        }
    }

    /** Writes {@code json} as the next generation, makes it current and prunes to the newest {@code keep}. */
    synchronized Generation commit(String json, String source, int keep) throws IOException {
        byte[] content = json.getBytes(StandardCharsets.UTF_8);
        // Taken before writing: even a failed write never lets its number be used again.
        long number = ++highestSeen;
        Generation generation = new Generation(number, clock.instant(), source, sha256(content));
        AtomicFile.write(jsonFile(number), content);
        AtomicFile.write(metaFile(number), mapper.writeValueAsBytes(meta(generation)));
        AtomicFile.write(currentFile, Long.toString(number).getBytes(StandardCharsets.UTF_8));
        generations.put(number, generation);
        current = Optional.of(generation);
        prune(Math.max(MIN_KEEP, keep));
        return generation;
    }

    static String sha256(String json) {
        return sha256(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] content) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private void load() throws IOException {
        Files.createDirectories(generationsDir);
        deleteLeftoverTemps(configDir);
        deleteLeftoverTemps(generationsDir);
        for (long number : numbersOnDisk()) {
            highestSeen = Math.max(highestSeen, number);
            try {
                generations.put(number, verified(number));
            } catch (IOException | RuntimeException e) {
                log.warn("ignoring generation " + number + " in " + generationsDir + ": " + e.getMessage());
            }
        }
        current = pointedTo();
        if (current.isPresent()) {
            return;
        }
        if (!generations.isEmpty()) {
            Generation newest = generations.lastEntry().getValue();
            log.warn(currentFile + " does not name a valid generation; falling back to the newest valid one, "
                    + newest.number());
            AtomicFile.write(currentFile, Long.toString(newest.number()).getBytes(StandardCharsets.UTF_8));
            current = Optional.of(newest);
        } else if (Files.exists(currentFile)) {
            log.warn(currentFile + " names a generation that is gone; starting without a committed document");
        }
    }

    private Optional<Generation> pointedTo() throws IOException {
        if (!Files.exists(currentFile)) {
            return Optional.empty();
        }
        String text = Files.readString(currentFile, StandardCharsets.UTF_8).trim();
        try {
            long number = Long.parseLong(text);
            highestSeen = Math.max(highestSeen, number);
            return Optional.ofNullable(generations.get(number));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** A generation whose meta file matches its number and whose document matches its sha256. */
    private Generation verified(long number) throws IOException {
        if (!Files.exists(metaFile(number)) || !Files.exists(jsonFile(number))) {
            throw new IOException("its document or meta file is missing (an interrupted commit?)");
        }
        JsonNode meta = mapper.readTree(metaFile(number).toFile());
        if (meta == null || meta.path("number").asLong(-1) != number) {
            throw new IOException("its meta file names another number");
        }
        String sha256 = meta.path("sha256").asText();
        if (!sha256(Files.readAllBytes(jsonFile(number))).equals(sha256)) {
            throw new IOException("its document does not match the sha256 of its meta file (a torn write?)");
        }
        return new Generation(number, Instant.parse(meta.path("committedAt").asText()), meta.path("source").asText(),
                sha256);
    }

    private ObjectNode meta(Generation generation) {
        ObjectNode meta = mapper.createObjectNode();
        meta.put("number", generation.number());
        meta.put("committedAt", generation.committedAt().toString());
        meta.put("source", generation.source());
        meta.put("sha256", generation.sha256());
        return meta;
    }

    /** Keeps the newest {@code keep} and the current one; torn files of older numbers go too. */
    private void prune(int keep) throws IOException {
        Set<Long> kept = new HashSet<>(generations.descendingKeySet().stream().limit(keep).toList());
        current.ifPresent(c -> kept.add(c.number()));
        for (long number : numbersOnDisk()) {
            if (!kept.contains(number)) {
                // Meta first: a crash in between leaves a document without meta, which is ignored.
                Files.deleteIfExists(metaFile(number));
                Files.deleteIfExists(jsonFile(number));
                generations.remove(number);
            }
        }
        AtomicFile.syncDirectory(generationsDir);
    }

    private List<Long> numbersOnDisk() throws IOException {
        Set<Long> numbers = new HashSet<>();
        try (Stream<Path> files = Files.list(generationsDir)) {
            files.map(f -> FILE.matcher(f.getFileName().toString())).filter(Matcher::matches)
                    .forEach(m -> numbers.add(Long.parseLong(m.group(1))));
        }
        List<Long> sorted = new ArrayList<>(numbers);
        sorted.sort(null);
        return sorted;
    }

    private void deleteLeftoverTemps(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path temp : files.filter(f -> f.getFileName().toString().endsWith(AtomicFile.TEMP_SUFFIX)).toList()) {
                log.info("deleting " + temp + ", left over from an interrupted write");
                Files.deleteIfExists(temp);
            }
        }
    }

    private Path jsonFile(long number) {
        return generationsDir.resolve(String.format("%08d.json", number));
    }

    private Path metaFile(long number) {
        return generationsDir.resolve(String.format("%08d.meta.json", number));
    }
}
