package io.isthmus.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A FAKE fleet for unit tests of the CLI's side of the deploy protocol (no broker, no gateway: those are in
 * FleetRolloutIT). Each device keeps jobs as docs/deploy.md describes them — chunks in any order, sha256 checked,
 * terminal states — and emits {@code evt/deploy} synchronously. Per device one can choose what the new version
 * does (commit or roll back), keep it offline, or drop the connection once in the middle of a transfer.
 */
final class FakeFleet implements DeployLink {
    static final class Device {
        final String id;
        volatile boolean online = true;
        String running = "1.0.0";
        String previous;
        /** empty: the update commits; else the health window fails with this reason. */
        Optional<String> unhealthy = Optional.empty();
        /** a request for this chunk index loses the connection once (before the device sees it). */
        int dropConnectionAtChunk = -1;
        final Map<String, Job> jobs = new ConcurrentHashMap<>();
        final List<String> commands = new CopyOnWriteArrayList<>();

        Device(String id) {
            this.id = id;
        }
    }

    static final class Job {
        final String id;
        final JsonNode request;
        final TreeMap<Integer, byte[]> chunks = new TreeMap<>();
        final int count;
        String state = "receiving";
        String reason;
        String version;

        Job(String id, JsonNode request, int count) {
            this.id = id;
            this.request = request;
            this.count = count;
        }
    }

    final Map<String, Device> devices = new ConcurrentHashMap<>();
    final Map<String, byte[]> retained = new ConcurrentHashMap<>();
    private final Map<String, List<Consumer<JsonNode>>> listeners = new ConcurrentHashMap<>();
    private volatile boolean connected = true;
    int reconnects;
    /** the version the jar in the test carries. */
    String newVersion = "1.1.0";

    Device add(String id) {
        Device d = new Device(id);
        devices.put(id, d);
        return d;
    }

    @Override
    public synchronized JsonNode request(String device, String command, Map<String, Object> body, Duration timeout)
            throws Exception {
        if (!connected) {
            throw new IllegalStateException("not connected");
        }
        Device d = devices.get(device);
        if (d == null || !d.online) {
            throw new TimeoutException("no reply");
        }
        JsonNode req = Channel.JSON.valueToTree(body);
        d.commands.add(command);
        return switch (command) {
            case "bundles.list" -> ok(Map.of("bundles", List.of(Map.of("id", 7, "symbolicName", "io.x.probe",
                    "version", d.running, "state", "ACTIVE"))));
            case "bundle.update", "bundle.install" -> start(d, req);
            case "bundle.chunk" -> chunk(d, req);
            case "bundle.job" -> {
                Job j = d.jobs.get(req.path("job").asText());
                yield j == null ? error(404, "not-found", "no job") : ok(jobJson(j));
            }
            case "bundle.rollback" -> rollback(d);
            case "bundle.uninstall" -> uninstall(d);
            default -> error(404, "unknown-command", command);
        };
    }

    private JsonNode start(Device d, JsonNode req) {
        if (!req.path("sha256").asText().matches("[0-9a-f]{64}")) {
            return error(400, "bad-request", "sha256: 64 hex digits", "/sha256");
        }
        String id = req.path("job").asText();
        Job j = d.jobs.get(id);
        if (j == null) {
            long size = req.path("size").asLong();
            int chunk = req.at("/source/inline/chunkSize").asInt(1);
            j = new Job(id, req, req.at("/source/url").isTextual() ? 0 : (int) ((size + chunk - 1) / chunk));
            d.jobs.put(id, j);
            if (j.count == 0) {
                finish(d, j, new byte[0], true);
            }
        }
        return ok(Map.of("job", id, "state", j.state, "chunks", j.count));
    }

    private JsonNode chunk(Device d, JsonNode req) throws Exception {
        Job j = d.jobs.get(req.path("job").asText());
        if (j == null) {
            return error(404, "not-found", "no job");
        }
        int index = req.path("index").asInt();
        if (index == d.dropConnectionAtChunk) {
            d.dropConnectionAtChunk = -1;
            connected = false;
            throw new IllegalStateException("disconnected from the broker");
        }
        j.chunks.put(index, Base64.getDecoder().decode(req.path("data").asText()));
        emit(d, j, 0);
        if (j.chunks.size() == j.count && "receiving".equals(j.state)) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            j.chunks.values().forEach(all::writeBytes);
            finish(d, j, all.toByteArray(), false);
        }
        ObjectNode r = Channel.JSON.createObjectNode();
        r.put("received", j.chunks.size());
        r.set("missing", Channel.JSON.valueToTree(missing(j)));
        return ok(r);
    }

    private void finish(Device d, Job j, byte[] data, boolean byUrl) {
        String sha = byUrl ? j.request.path("sha256").asText() : sha256(data);
        for (String s : List.of("verifying", "installing")) {
            j.state = s;
            emit(d, j, 100);
        }
        if (!sha.equals(j.request.path("sha256").asText())) {
            end(d, j, "rejected", "sha256 mismatch");
            return;
        }
        j.state = "health";
        emit(d, j, 100);
        if (d.unhealthy.isPresent()) {
            end(d, j, "rolledBack", d.unhealthy.get());
        } else {
            d.previous = d.running;
            d.running = newVersion;
            j.version = newVersion;
            end(d, j, "committed", null);
        }
    }

    private JsonNode rollback(Device d) {
        if (d.previous == null) {
            return error(409, "no-previous", "no previous jar");
        }
        Job j = new Job("rb-" + d.jobs.size(), Channel.JSON.createObjectNode(), 0);
        d.jobs.put(j.id, j);
        d.running = d.previous;
        d.previous = null;
        j.version = d.running;
        end(d, j, "committed", null);
        return ok(Map.of("job", j.id, "state", "committed"));
    }

    private JsonNode uninstall(Device d) {
        Job j = new Job("un-" + d.jobs.size(), Channel.JSON.createObjectNode(), 0);
        d.jobs.put(j.id, j);
        d.running = null;
        end(d, j, "committed", null);
        return ok(Map.of("job", j.id, "state", "committed"));
    }

    private void end(Device d, Job j, String state, String reason) {
        j.state = state;
        j.reason = reason;
        emit(d, j, 100);
    }

    /** A device that comes back runs its retained request once, as the agent would on subscribe. */
    synchronized void comeOnline(String device) {
        Device d = devices.get(device);
        d.online = true;
        byte[] r = retained.get(device + "/bundle.update");
        if (r != null && r.length > 0) {
            try {
                start(d, Channel.JSON.readTree(r));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private void emit(Device d, Job j, int percent) {
        ObjectNode e = jobJson(j);
        e.put("percent", "receiving".equals(j.state) ? j.chunks.size() * 100 / Math.max(1, j.count) : percent);
        ObjectNode envelope = Channel.JSON.createObjectNode();
        envelope.put("type", "deploy");
        envelope.set("body", e);
        listeners.getOrDefault(d.id, List.of()).forEach(l -> l.accept(envelope.path("body")));
    }

    private static ObjectNode jobJson(Job j) {
        ObjectNode n = Channel.JSON.createObjectNode();
        n.put("job", j.id);
        n.put("bundle", j.request.path("bundle").asText());
        n.put("state", j.state);
        if (j.version != null) {
            n.put("version", j.version);
        }
        if (j.reason != null) {
            n.put("reason", j.reason);
        }
        n.set("missing", Channel.JSON.valueToTree(missing(j)));
        return n;
    }

    private static List<Integer> missing(Job j) {
        List<Integer> m = new ArrayList<>();
        for (int i = 0; i < j.count && m.size() < 50; i++) {
            if (!j.chunks.containsKey(i)) {
                m.add(i);
            }
        }
        return m;
    }

    @Override
    public void watchStates(Collection<String> ids) {
    }

    @Override
    public Optional<JsonNode> state(String device) {
        Device d = devices.get(device);
        return d == null ? Optional.empty()
                : Optional.of(Channel.JSON.createObjectNode().put("online", d.online));
    }

    @Override
    public AutoCloseable watchDeployEvents(String device, Consumer<JsonNode> listener) {
        List<Consumer<JsonNode>> l = listeners.computeIfAbsent(device, x -> new CopyOnWriteArrayList<>());
        l.add(listener);
        return () -> l.remove(listener);
    }

    @Override
    public void publishRetained(String device, String command, byte[] payload) {
        if (payload.length == 0) {
            retained.remove(device + "/" + command);
        } else {
            retained.put(device + "/" + command, payload);
        }
    }

    @Override
    public synchronized boolean reconnect(Duration within) {
        if (!connected) {
            reconnects++;
            connected = true;
        }
        return true;
    }

    private static JsonNode ok(Object body) {
        ObjectNode r = Channel.JSON.createObjectNode();
        r.put("status", 200);
        r.set("body", Channel.JSON.valueToTree(body));
        return r;
    }

    private static JsonNode error(int status, String code, String message) {
        return error(status, code, message, null);
    }

    private static JsonNode error(int status, String code, String message, String pointer) {
        ObjectNode r = Channel.JSON.createObjectNode();
        r.put("status", status);
        ObjectNode e = r.putObject("error");
        e.put("code", code);
        e.put("message", message);
        if (pointer != null) {
            e.put("pointer", pointer);
        }
        return r;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
