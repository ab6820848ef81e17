package io.isthmus.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A rollout's record on the operator's disk: what was rolled out, the plan, and every device's latest result.
 * Rewritten whole (temp file, fsync, rename) after every change, so an interrupted rollout leaves a readable
 * journal; {@code rollout status FILE} shows it, and a second run with the same journal continues it.
 */
final class RolloutJournal {
    private final Path file;
    private final ObjectNode root;
    private final Map<String, DeviceResult> devices = new LinkedHashMap<>();

    private RolloutJournal(Path file, ObjectNode root) {
        this.file = file;
        this.root = root;
        for (JsonNode d : root.withArray("devices")) {
            DeviceResult r = fromJson(d);
            devices.put(r.device(), r);
        }
    }

    /** {@code $XDG_STATE_HOME/isthmusctl/rollouts} (default {@code ~/.local/state/isthmusctl/rollouts}). */
    static Path defaultDir() {
        String xdg = System.getenv("XDG_STATE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("isthmusctl").resolve("rollouts");
    }

    static RolloutJournal read(Path file) throws IOException {
        JsonNode n = Channel.JSON.readTree(file.toFile());
        if (!(n instanceof ObjectNode o) || !o.has("rollout")) {
            throw new IllegalArgumentException(file + ": not a rollout journal (no /rollout)");
        }
        return new RolloutJournal(file, o);
    }

    /**
     * The journal of this rollout: the existing one at {@code file} when it is of the same action and jar (the
     * run continues it), otherwise a new one.
     */
    static RolloutJournal open(Path file, String action, BundleJar jar, Map<String, Object> options)
            throws IOException {
        if (Files.exists(file)) {
            RolloutJournal j = read(file);
            if (action.equals(j.root.path("action").asText())
                    && jar.sha256().equals(j.root.at("/bundle/sha256").asText())) {
                return j;
            }
            throw new IllegalArgumentException(file + " is the journal of another rollout ("
                    + j.root.path("action").asText() + " " + j.root.at("/bundle/symbolicName").asText() + " "
                    + j.root.at("/bundle/version").asText() + "): choose another --journal");
        }
        ObjectNode root = Channel.JSON.createObjectNode();
        root.put("rollout", file.getFileName().toString().replaceFirst("\\.json$", ""));
        root.put("action", action);
        ObjectNode b = root.putObject("bundle");
        b.put("symbolicName", jar.symbolicName());
        b.put("version", jar.version());
        b.put("sha256", jar.sha256());
        b.put("size", jar.size());
        b.put("file", jar.file().toAbsolutePath().toString());
        root.set("options", Channel.JSON.valueToTree(options));
        root.put("startedAt", Instant.now().toString());
        root.putArray("devices");
        return new RolloutJournal(file, root);
    }

    String rolloutId() {
        return root.path("rollout").asText();
    }

    String action() {
        return root.path("action").asText();
    }

    Path file() {
        return file;
    }

    synchronized Map<String, DeviceResult> results() {
        return new LinkedHashMap<>(devices);
    }

    synchronized void record(DeviceResult r) {
        devices.put(r.device(), r);
        write();
    }

    synchronized void finish(Optional<String> stopReason) {
        root.put("finishedAt", Instant.now().toString());
        stopReason.ifPresentOrElse(s -> root.put("stopped", s), () -> root.remove("stopped"));
        write();
    }

    synchronized Optional<String> stopReason() {
        return root.hasNonNull("stopped") ? Optional.of(root.path("stopped").asText()) : Optional.empty();
    }

    synchronized ObjectNode json() {
        ArrayNode list = root.putArray("devices");
        devices.values().forEach(r -> list.add(toJson(r)));
        return root.deepCopy();
    }

    private void write() {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, Channel.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json()));
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write the rollout journal " + file, e);
        }
    }

    static ObjectNode toJson(DeviceResult r) {
        ObjectNode n = Channel.JSON.createObjectNode();
        n.put("device", r.device());
        n.put("phase", r.phase());
        r.fromVersion().ifPresent(v -> n.put("from", v));
        r.toVersion().ifPresent(v -> n.put("to", v));
        n.put("outcome", r.outcome().word);
        n.put("ms", r.millis());
        r.reason().ifPresent(v -> n.put("reason", v));
        r.job().ifPresent(v -> n.put("job", v));
        return n;
    }

    static DeviceResult fromJson(JsonNode n) {
        return new DeviceResult(n.path("device").asText(), n.path("phase").asText(), opt(n, "from"), opt(n, "to"),
                Outcome.ofWord(n.path("outcome").asText()), n.path("ms").asLong(), opt(n, "reason"), opt(n, "job"));
    }

    private static Optional<String> opt(JsonNode n, String f) {
        return n.hasNonNull(f) ? Optional.of(n.path(f).asText()) : Optional.empty();
    }
}
