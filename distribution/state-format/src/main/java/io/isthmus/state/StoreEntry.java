package io.isthmus.state;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One bundle location in {@code deploy/store.json}: the committed jar ({@code current}), the one before it
 * ({@code previous}), where the bundle came from ({@code origin}), and the change under way ({@code pending}: written
 * before the framework is touched, cleared at commit or rollback). No {@code current}: the bundle is not installed
 * (a field install that never committed).
 */
public record StoreEntry(String location, String bsn, String origin, Optional<JarRef> current,
        Optional<JarRef> previous, Optional<Pending> pending) {

    /** {@code origin} of a bundle the distribution installed (its distribution jar is the first {@code current}). */
    public static final String DISTRIBUTION = "distribution";
    /** {@code origin} of a bundle installed in the field ({@code bundle.install}). */
    public static final String FIELD = "field";

    /** A jar of the store: {@code deploy/jars/<sha256>.jar}, and the bundle version it holds. */
    public record JarRef(String sha256, String version) {
        private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

        public JarRef {
            if (!SHA256.matcher(sha256).matches()) {
                throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits, got \"" + sha256 + "\"");
            }
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sha256", sha256);
            m.put("version", version);
            return m;
        }

        static JarRef fromJson(Map<?, ?> m, String pointer) throws StateFormatException {
            String sha = JsonShape.string(m, "sha256", pointer);
            if (!SHA256.matcher(sha).matches()) {
                throw new StateFormatException(pointer + "/sha256", "must be 64 lowercase hex digits");
            }
            return new JarRef(sha, JsonShape.string(m, "version", pointer));
        }
    }

    /** The change under way: {@code kind} is the job's kind; {@code target} empty: it removes the bundle. */
    public record Pending(String job, String kind, Optional<JarRef> target) {
    }

    public StoreEntry withPending(Optional<Pending> p) {
        return new StoreEntry(location, bsn, origin, current, previous, p);
    }

    /** The pending target becomes current, the current one previous. */
    public StoreEntry committed(JarRef target) {
        return new StoreEntry(location, bsn, origin, Optional.of(target), current, Optional.empty());
    }

    /** The JSON value of this entry (the member of {@code bundles} named by its location). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bsn", bsn);
        m.put("origin", origin);
        current.ifPresent(j -> m.put("current", j.toJson()));
        previous.ifPresent(j -> m.put("previous", j.toJson()));
        pending.ifPresent(p -> {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("job", p.job());
            pm.put("kind", p.kind());
            p.target().ifPresent(t -> pm.put("target", t.toJson()));
            m.put("pending", pm);
        });
        return m;
    }

    /** Reads the entry of {@code location}; {@code pointer} is where its value lies in the file. */
    public static StoreEntry fromJson(String location, Object value, String pointer) throws StateFormatException {
        Map<?, ?> m = JsonShape.object(value, pointer);
        Optional<Pending> pending = Optional.empty();
        Optional<Map<?, ?>> p = JsonShape.member(m, "pending", pointer);
        if (p.isPresent()) {
            String pp = pointer + "/pending";
            pending = Optional.of(new Pending(JsonShape.string(p.get(), "job", pp), JsonShape.string(p.get(), "kind", pp),
                    jar(p.get(), "target", pp)));
        }
        return new StoreEntry(location, JsonShape.string(m, "bsn", pointer), JsonShape.string(m, "origin", pointer),
                jar(m, "current", pointer), jar(m, "previous", pointer), pending);
    }

    private static Optional<JarRef> jar(Map<?, ?> m, String key, String pointer) throws StateFormatException {
        Optional<Map<?, ?>> o = JsonShape.member(m, key, pointer);
        return o.isEmpty() ? Optional.empty() : Optional.of(JarRef.fromJson(o.get(), pointer + "/" + key));
    }
}
