package io.isthmus.deploy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One change of one bundle, from request to outcome. Mutable, guarded by its own lock; {@link #view()} is the
 * shape {@code bundle.job} answers and {@code evt/deploy} carries (docs/deploy.md).
 */
final class Job {
    enum Kind { install, update, rollback, uninstall }

    enum State {
        receiving, verifying, installing, health, committed, rolledBack, rejected, failed;

        boolean terminal() {
            return ordinal() >= committed.ordinal();
        }
    }

    /** Where the jar comes from: chunks over MQTT, or a URL; none for rollback and uninstall. */
    sealed interface Source permits Inline, Url, None {
    }

    record Inline(int chunkSize, int chunks) implements Source {
    }

    record Url(String url) implements Source {
    }

    record None() implements Source {
    }

    final String id;
    final Kind kind;
    final String bundle;
    final Optional<String> sha256;
    final long size;
    final Source source;
    final boolean refresh;
    final Duration healthWindow;

    private State state = State.receiving;
    private long bytes;
    private Optional<String> reason = Optional.empty();
    private Optional<String> version = Optional.empty();
    private Optional<String> previousVersion = Optional.empty();
    private List<Integer> missing = List.of();

    Job(String id, Kind kind, String bundle, Optional<String> sha256, long size, Source source, boolean refresh,
            Duration healthWindow) {
        this.id = id;
        this.kind = kind;
        this.bundle = bundle;
        this.sha256 = sha256;
        this.size = size;
        this.source = source;
        this.refresh = refresh;
        this.healthWindow = healthWindow;
    }

    synchronized State state() {
        return state;
    }

    synchronized void state(State s) {
        state = s;
    }

    synchronized void finish(State s, Optional<String> why) {
        state = s;
        reason = why;
    }

    synchronized void progress(long received, List<Integer> stillMissing) {
        bytes = received;
        missing = List.copyOf(stillMissing);
    }

    synchronized void versions(Optional<String> next, Optional<String> before) {
        version = next;
        previousVersion = before;
    }

    synchronized Optional<String> reason() {
        return reason;
    }

    synchronized int percent() {
        if (state.ordinal() > State.receiving.ordinal()) {
            return 100;
        }
        return size <= 0 ? 0 : (int) Math.min(100, bytes * 100 / size);
    }

    /** The job as bundle.job and evt/deploy show it. */
    synchronized Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", id);
        m.put("kind", kind.name());
        m.put("bundle", bundle);
        m.put("state", state.name());
        m.put("percent", percent());
        m.put("bytes", state.ordinal() > State.receiving.ordinal() ? size : bytes);
        m.put("size", size);
        if (state == State.receiving && source instanceof Inline) {
            m.put("missing", missing);
        }
        if (state.terminal()) {
            m.put("outcome", state.name());
        }
        reason.ifPresent(r -> m.put("reason", r));
        version.ifPresent(v -> m.put("version", v));
        previousVersion.ifPresent(v -> m.put("previousVersion", v));
        return m;
    }

    /** What jobs.json keeps, enough to rebuild the job after a restart. */
    synchronized Map<String, Object> record() {
        Map<String, Object> m = view();
        m.put("refresh", refresh);
        m.put("healthWindowMs", healthWindow.toMillis());
        sha256.ifPresent(s -> m.put("sha256", s));
        if (source instanceof Inline in) {
            m.put("source", Map.of("inline", Map.of("chunkSize", in.chunkSize(), "chunks", in.chunks())));
        } else if (source instanceof Url u) {
            m.put("source", Map.of("url", u.url()));
        }
        return m;
    }

    static Job fromRecord(Map<?, ?> m) {
        Source source = new None();
        if (m.get("source") instanceof Map<?, ?> s) {
            if (s.get("inline") instanceof Map<?, ?> in) {
                source = new Inline(((Number) in.get("chunkSize")).intValue(), ((Number) in.get("chunks")).intValue());
            } else if (s.get("url") != null) {
                source = new Url(String.valueOf(s.get("url")));
            }
        }
        Job j = new Job(String.valueOf(m.get("job")), Kind.valueOf(String.valueOf(m.get("kind"))),
                String.valueOf(m.get("bundle")), Optional.ofNullable(m.get("sha256")).map(String::valueOf),
                ((Number) m.get("size")).longValue(), source, Boolean.TRUE.equals(m.get("refresh")),
                Duration.ofMillis(((Number) m.get("healthWindowMs")).longValue()));
        j.state = State.valueOf(String.valueOf(m.get("state")));
        j.bytes = ((Number) m.get("bytes")).longValue();
        j.reason = Optional.ofNullable(m.get("reason")).map(String::valueOf);
        j.version = Optional.ofNullable(m.get("version")).map(String::valueOf);
        j.previousVersion = Optional.ofNullable(m.get("previousVersion")).map(String::valueOf);
        return j;
    }
}
