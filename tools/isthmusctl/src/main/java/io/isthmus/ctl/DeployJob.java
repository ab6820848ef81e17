package io.isthmus.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The CLI side of the deploy protocol (docs/deploy.md) for one device at a time: {@code bundle.install|update}
 * with an inline (chunked, resumable) or URL source, {@code bundle.rollback}, and following the job through its
 * {@code evt/deploy} events, with {@code bundle.job} polls for what events may miss (a lost connection, a
 * gateway that was away). Thread-safe: a rollout runs many devices at once through one instance.
 */
final class DeployJob {
    /** How often the job is polled when no event came. */
    static final Duration POLL = Duration.ofSeconds(2);

    enum Action {
        INSTALL("bundle.install"), UPDATE("bundle.update");

        final String command;

        Action(String command) {
            this.command = command;
        }
    }

    /** What to send and how long to wait for what. */
    record Settings(Action action, BundleJar jar, Optional<URI> url, int chunkSize, boolean refresh,
            Optional<Long> healthWindowMs, Duration offlineWait, Duration jobTimeout, Duration replyTimeout,
            String rolloutId) {
    }

    /** Receives what is going on, for the progress display. */
    interface Progress {
        void state(String device, String state, int percent, long bytes, long size);

        Progress NONE = (d, s, p, b, z) -> {
        };
    }

    private final DeployLink link;
    private final Progress progress;

    DeployJob(DeployLink link, Progress progress) {
        this.link = link;
        this.progress = progress;
    }

    /** A failure the device reported or the protocol ran into: ends the job with this outcome. */
    private static final class Ended extends Exception {
        final Outcome outcome;

        Ended(Outcome outcome, String reason) {
            super(reason, null, false, false);
            this.outcome = outcome;
        }
    }

    /** Install or update the jar on one device. */
    DeviceResult deploy(Settings s, String device, String phase) throws InterruptedException {
        long start = System.nanoTime();
        String job = jobId(s.rolloutId(), device);
        Optional<String> from = Optional.empty();
        try {
            if (!link.online(device)) {
                if (s.url().isPresent()) {
                    link.publishRetained(device, s.action().command,
                            Channel.JSON.writeValueAsBytes(retainedRequest(s, job)));
                    progress.state(device, "pending", 0, 0, s.jar().size());
                    return result(device, phase, from, s, Outcome.PENDING, start,
                            "offline: the job waits for it (retained request)", job);
                }
                if (!awaitOnline(device, s.offlineWait())) {
                    return result(device, phase, from, s, Outcome.SKIPPED, start,
                            "offline for " + s.offlineWait().toSeconds() + " s (inline transfer needs it online)",
                            Optional.empty());
                }
            }
            long deadline = System.nanoTime() + s.jobTimeout().toNanos();
            from = runningVersion(device, s.jar().symbolicName(), s.replyTimeout());
            LinkedBlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
            try (AutoCloseable watch = link.watchDeployEvents(device, events::add)) {
                JsonNode accepted = call(device, s.action().command, request(s, job), s.replyTimeout(), deadline);
                progress.state(device, accepted.path("state").asText("receiving"), 0, 0, s.jar().size());
                if (s.url().isEmpty() && "receiving".equals(accepted.path("state").asText("receiving"))) {
                    sendChunks(s, device, job, deadline);
                }
                JsonNode end = awaitEnd(device, job, events, deadline);
                Outcome o = Outcome.ofJobState(end.path("state").asText()).orElseThrow();
                return new DeviceResult(device, phase, from.or(() -> text(end, "previousVersion")),
                        o == Outcome.COMMITTED ? text(end, "version").or(() -> Optional.of(s.jar().version()))
                                : Optional.of(s.jar().version()), o, millis(start), text(end, "reason"),
                        Optional.of(job));
            }
        } catch (Ended e) {
            return result(device, phase, from, s, e.outcome, start, e.getMessage(), Optional.of(job));
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return result(device, phase, from, s, Outcome.FAILED, start, String.valueOf(e.getMessage()),
                    Optional.of(job));
        }
    }

    /** {@code bundle.rollback}: back to the device's previous committed jar of the bundle. */
    DeviceResult rollback(String device, String bsn, String phase, Duration replyTimeout, Duration jobTimeout)
            throws InterruptedException {
        return change("bundle.rollback", device, bsn, phase, replyTimeout, jobTimeout);
    }

    /** {@code bundle.rollback} or {@code bundle.uninstall}: a job without a jar, followed to its end. */
    private DeviceResult change(String command, String device, String bsn, String phase, Duration replyTimeout,
            Duration jobTimeout) throws InterruptedException {
        long start = System.nanoTime();
        Optional<String> from = Optional.empty();
        try {
            long deadline = System.nanoTime() + jobTimeout.toNanos();
            from = runningVersion(device, bsn, replyTimeout);
            LinkedBlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
            try (AutoCloseable watch = link.watchDeployEvents(device, events::add)) {
                JsonNode accepted = call(device, command, Map.of("bundle", bsn), replyTimeout, deadline);
                String job = accepted.path("job").asText();
                JsonNode end = awaitEnd(device, job, events, deadline);
                Outcome o = Outcome.ofJobState(end.path("state").asText()).orElseThrow();
                return new DeviceResult(device, phase, from, text(end, "version"), o, millis(start),
                        text(end, "reason"), Optional.of(job));
            }
        } catch (Ended e) {
            return new DeviceResult(device, phase, from, Optional.empty(), e.outcome, millis(start),
                    Optional.of(e.getMessage()), Optional.empty());
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return new DeviceResult(device, phase, from, Optional.empty(), Outcome.FAILED, millis(start),
                    Optional.of(String.valueOf(e.getMessage())), Optional.empty());
        }
    }

    /**
     * The rollout's undo of a committed device, reported as reverted or revertFailed: {@code bundle.rollback} after
     * an update, {@code bundle.uninstall} after an install (a new bundle has no previous version).
     */
    DeviceResult revert(Action action, DeviceResult committed, String bsn, Duration replyTimeout,
            Duration jobTimeout) throws InterruptedException {
        String command = action == Action.INSTALL ? "bundle.uninstall" : "bundle.rollback";
        DeviceResult r = change(command, committed.device(), bsn, committed.phase(), replyTimeout, jobTimeout);
        return r.outcome() == Outcome.COMMITTED
                ? committed.withOutcome(Outcome.REVERTED, Optional.of(action == Action.INSTALL
                        ? "uninstalled by the rollout" : "rolled back by the rollout to "
                                + r.toVersion().or(committed::fromVersion).orElse("the previous version")), r.millis())
                : committed.withOutcome(Outcome.REVERT_FAILED, Optional.of(command + " " + r.outcome().word + ": "
                        + r.reason().orElse("")), r.millis());
    }

    /** Withdraws a pending device's retained request (the rollout stopped before it came back). */
    DeviceResult cancel(DeviceResult pending, String command) {
        try {
            link.publishRetained(pending.device(), command, new byte[0]);
            return pending.withOutcome(Outcome.CANCELLED, Optional.of("rollout stopped: retained request withdrawn"),
                    0);
        } catch (Exception e) {
            return pending.withOutcome(Outcome.PENDING, Optional.of("could not withdraw the retained request: "
                    + e.getMessage()), 0);
        }
    }

    /**
     * A pending device's job as the device knows it now: terminal once it came back and ran it (the retained
     * request is then cleared), still pending otherwise.
     */
    DeviceResult refresh(DeviceResult pending, String command, Duration replyTimeout) throws InterruptedException {
        if (pending.outcome() != Outcome.PENDING || pending.job().isEmpty() || !link.online(pending.device())) {
            return pending;
        }
        try {
            JsonNode reply = link.request(pending.device(), "bundle.job", Map.of("job", pending.job().get()),
                    replyTimeout);
            if (reply.path("status").asInt() != 200) {
                return pending; // not received yet
            }
            JsonNode body = reply.path("body");
            Optional<Outcome> o = Outcome.ofJobState(body.path("state").asText());
            if (o.isEmpty()) {
                progress.state(pending.device(), body.path("state").asText(), body.path("percent").asInt(),
                        body.path("bytes").asLong(), body.path("size").asLong());
                return pending;
            }
            link.publishRetained(pending.device(), command, new byte[0]);
            return new DeviceResult(pending.device(), pending.phase(), text(body, "previousVersion"),
                    text(body, "version").or(pending::toVersion), o.get(), pending.millis(), text(body, "reason"),
                    pending.job());
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return pending; // asked again later
        }
    }

    /**
     * A fresh job id per attempt (the gateway answers a known id with the old job): the rollout and the device in
     * it, for people reading the gateway's log, within the protocol's 1 to 64 of A-Z a-z 0-9 . _ -.
     */
    static String jobId(String rolloutId, String device) {
        String r = rolloutId.replaceAll("[^A-Za-z0-9._-]", "_");
        String d = device.replaceAll("[^A-Za-z0-9._-]", "_");
        return r.substring(0, Math.min(24, r.length())) + "-" + d.substring(0, Math.min(30, d.length())) + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    // --- the protocol --------------------------------------------------------------------------------------------

    private static Map<String, Object> request(Settings s, String job) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("job", job);
        r.put("bundle", s.jar().symbolicName());
        r.put("sha256", s.jar().sha256());
        r.put("size", s.jar().size());
        r.put("source", s.url().<Object>map(u -> Map.of("url", u.toString()))
                .orElseGet(() -> Map.of("inline", Map.of("chunkSize", s.chunkSize()))));
        r.put("refresh", s.refresh());
        s.healthWindowMs().ifPresent(w -> r.put("healthWindowMs", w));
        return r;
    }

    /** For an offline device: the job waits on the broker; {@code id} = job, so the gateway runs it once. */
    static Map<String, Object> retainedRequest(Settings s, String job) {
        Map<String, Object> r = new LinkedHashMap<>(request(s, job));
        r.put("id", job);
        r.put("replyTo", "isthmusctl/rollout/" + s.rolloutId() + "/reply");
        return r;
    }

    /** A request whose reply must be 200: anything else ends the job (rejected, busy, no deploy bundle …). */
    private JsonNode call(String device, String command, Map<String, Object> body, Duration replyTimeout,
            long deadline) throws Exception {
        JsonNode reply = requestResuming(device, command, body, replyTimeout, deadline);
        int status = reply.path("status").asInt();
        if (status == 200) {
            return reply.path("body");
        }
        JsonNode e = reply.path("error");
        String why = e.path("code").asText("error " + status)
                + (e.hasNonNull("pointer") ? " at " + e.path("pointer").asText() : "") + ": "
                + e.path("message").asText();
        throw switch (status) {
            case 400, 413 -> new Ended(Outcome.REJECTED, why);
            case 404 -> new Ended(Outcome.FAILED, command.startsWith("bundle.") && "unknown-command".equals(
                    e.path("code").asText()) ? "the device has no deploy bundle (" + why + ")" : why);
            case 409 -> new Ended(Outcome.FAILED, "busy".equals(e.path("code").asText())
                    ? "busy: another job for this bundle runs on the device" : why);
            default -> new Ended(Outcome.FAILED, why);
        };
    }

    /**
     * A request that survives a lost connection: on timeout or disconnect, connect again and repeat (every
     * deploy request is idempotent: same job id, same chunk index) until the deadline.
     */
    private JsonNode requestResuming(String device, String command, Map<String, Object> body,
            Duration replyTimeout, long deadline) throws Exception {
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                return link.request(device, command, body, replyTimeout);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = e;
                if (!link.reconnect(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                    break;
                }
            }
        }
        throw new Ended(Outcome.FAILED, "no reply from " + device + " to " + command
                + (last == null || last.getMessage() == null ? "" : " (" + last.getMessage() + ")"));
    }

    /** Sends every chunk the device lacks; after a lost connection asks {@code bundle.job} what is missing. */
    private void sendChunks(Settings s, String device, String job, long deadline) throws Exception {
        BundleJar jar = s.jar();
        int count = jar.chunks(s.chunkSize());
        TreeSet<Integer> missing = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            missing.add(i);
        }
        long sent = 0;
        try (RandomAccessFile file = new RandomAccessFile(jar.file().toFile(), "r")) {
            while (!missing.isEmpty()) {
                int index = missing.first();
                byte[] data = chunk(file, index, s.chunkSize(), jar.size());
                Map<String, Object> body = Map.of("job", job, "index", index,
                        "data", Base64.getEncoder().encodeToString(data));
                JsonNode reply;
                try {
                    reply = link.request(device, "bundle.chunk", body, s.replyTimeout());
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception lost) {
                    if (System.nanoTime() > deadline
                            || !link.reconnect(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                        throw new Ended(Outcome.FAILED, "transfer to " + device + " interrupted: " + lost.getMessage());
                    }
                    JsonNode status = call(device, "bundle.job", Map.of("job", job), s.replyTimeout(), deadline);
                    if (!"receiving".equals(status.path("state").asText())) {
                        return; // it has every chunk already
                    }
                    status.path("missing").forEach(m -> missing.add(m.asInt()));
                    progress.state(device, "resuming", (int) (sent * 100 / Math.max(1, jar.size())), sent, jar.size());
                    continue;
                }
                int st = reply.path("status").asInt();
                if (st != 200) {
                    JsonNode status = call(device, "bundle.job", Map.of("job", job), s.replyTimeout(), deadline);
                    if (Outcome.ofJobState(status.path("state").asText()).isPresent()) {
                        return; // the job ended meanwhile (rejected, failed): awaitEnd reports why
                    }
                    throw new Ended(Outcome.FAILED, "chunk " + index + ": " + reply.at("/error/message").asText());
                }
                missing.remove(index);
                sent += data.length;
                progress.state(device, "receiving", (int) (sent * 100 / Math.max(1, jar.size())), sent, jar.size());
                if (missing.isEmpty()) {
                    // the device's own word: a chunk lost on its side (restarted meanwhile) is sent again
                    reply.path("body").path("missing").forEach(m -> missing.add(m.asInt()));
                }
            }
        }
    }

    private static byte[] chunk(RandomAccessFile file, int index, int chunkSize, long size) throws IOException {
        long offset = (long) index * chunkSize;
        byte[] data = new byte[(int) Math.min(chunkSize, size - offset)];
        file.seek(offset);
        file.readFully(data);
        return data;
    }

    /** Until the job's terminal state: from its events, or from {@code bundle.job} when none came for a while. */
    private JsonNode awaitEnd(String device, String job, LinkedBlockingQueue<JsonNode> events, long deadline)
            throws Exception {
        String last = "receiving";
        int unknown = 0;
        while (System.nanoTime() < deadline) {
            JsonNode e = events.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
            if (e != null) {
                if (!job.equals(e.path("job").asText())) {
                    continue;
                }
            } else {
                JsonNode reply;
                try {
                    reply = link.request(device, "bundle.job", Map.of("job", job), POLL.plusSeconds(3));
                } catch (TimeoutException offlineForNow) {
                    continue; // e.g. the new version cut the management link: the gateway rolls back and returns
                } catch (InterruptedException ie) {
                    throw ie;
                } catch (Exception lost) {
                    link.reconnect(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                    continue;
                }
                if (reply.path("status").asInt() == 404) {
                    if (++unknown >= 3) {
                        throw new Ended(Outcome.FAILED, "the device does not know job " + job + " (any more)");
                    }
                    continue;
                }
                e = reply.path("body");
            }
            unknown = 0;
            last = e.path("state").asText(last);
            progress.state(device, last, e.path("percent").asInt(), e.path("bytes").asLong(), e.path("size").asLong());
            if (Outcome.ofJobState(last).isPresent()) {
                return e;
            }
        }
        throw new Ended(Outcome.FAILED, "no outcome within the job timeout (last state " + last + ")");
    }

    private Optional<String> runningVersion(String device, String bsn, Duration replyTimeout) {
        try {
            JsonNode reply = link.request(device, "bundles.list", Map.of(), replyTimeout);
            for (JsonNode b : reply.at("/body/bundles")) {
                if (bsn.equals(b.path("symbolicName").asText())) {
                    return Optional.of(b.path("version").asText());
                }
            }
        } catch (Exception e) {
            // the version is for the summary only; the job itself says what went wrong
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        return Optional.empty();
    }

    private boolean awaitOnline(String device, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!link.online(device)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(200); // polling the retained state the link follows
        }
        return true;
    }

    private static DeviceResult result(String device, String phase, Optional<String> from, Settings s, Outcome o,
            long start, String reason, String job) {
        return result(device, phase, from, s, o, start, reason, Optional.of(job));
    }

    private static DeviceResult result(String device, String phase, Optional<String> from, Settings s, Outcome o,
            long start, String reason, Optional<String> job) {
        return new DeviceResult(device, phase, from, Optional.of(s.jar().version()), o, millis(start),
                Optional.ofNullable(reason), job);
    }

    private static long millis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static Optional<String> text(JsonNode n, String field) {
        return n.hasNonNull(field) && !n.path(field).asText().isEmpty() ? Optional.of(n.path(field).asText())
                : Optional.empty();
    }
}
