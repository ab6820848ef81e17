package io.isthmus.deploy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One bundle location in the store: the committed jar ({@code current}), the one before it ({@code previous}),
 * where the bundle came from, and the change under way ({@code pending}: written before the framework is touched).
 */
record StoreEntry(String location, String bsn, String origin, Optional<JarRef> current, Optional<JarRef> previous,
        Optional<Pending> pending) {

    static final String DISTRIBUTION = "distribution";
    static final String FIELD = "field";

    record JarRef(String sha256, String version) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sha256", sha256);
            m.put("version", version);
            return m;
        }

        static Optional<JarRef> fromJson(Object o) {
            return o instanceof Map<?, ?> m && m.get("sha256") != null
                    ? Optional.of(new JarRef(String.valueOf(m.get("sha256")), String.valueOf(m.get("version"))))
                    : Optional.empty();
        }
    }

    /** {@code target} empty: the change removes the bundle (uninstall). */
    record Pending(String job, String kind, Optional<JarRef> target) {
    }

    StoreEntry withPending(Optional<Pending> p) {
        return new StoreEntry(location, bsn, origin, current, previous, p);
    }

    /** The pending target becomes current, the current one previous. */
    StoreEntry committed(JarRef target) {
        return new StoreEntry(location, bsn, origin, Optional.of(target), current, Optional.empty());
    }

    Map<String, Object> toJson() {
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

    static StoreEntry fromJson(String location, Object o) {
        Map<?, ?> m = o instanceof Map<?, ?> map ? map : Map.of();
        Optional<Pending> pending = Optional.empty();
        if (m.get("pending") instanceof Map<?, ?> p) {
            pending = Optional.of(new Pending(String.valueOf(p.get("job")), String.valueOf(p.get("kind")),
                    JarRef.fromJson(p.get("target"))));
        }
        return new StoreEntry(location, String.valueOf(m.get("bsn")), String.valueOf(m.get("origin")),
                JarRef.fromJson(m.get("current")), JarRef.fromJson(m.get("previous")), pending);
    }
}
