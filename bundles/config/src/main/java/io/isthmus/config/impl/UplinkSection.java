package io.isthmus.config.impl;

import io.isthmus.api.config.UplinkConfig;
import io.isthmus.api.config.UplinkConfig.Probe;
import java.util.List;
import java.util.Optional;

/** Reads {@code /uplink}: the health probe; every field left out takes {@link Probe#defaults()}. */
final class UplinkSection {
    static final List<String> PROBE_KEYS = List.of("targets", "intervalMs", "timeoutMs", "downAfter",
            "upAfter");
    private static final int MAX_INTERVAL_MS = 600_000;

    private final ValueReader in;

    UplinkSection(ValueReader in) {
        this.in = in;
    }

    UplinkConfig read(Optional<Located> section) {
        return new UplinkConfig(section.flatMap(s -> in.object(s, List.of("probe"))).flatMap(s -> s.get("probe"))
                .map(this::probe).orElse(Probe.defaults()));
    }

    private Probe probe(Located at) {
        Probe defaults = Probe.defaults();
        if (in.object(at, PROBE_KEYS).isEmpty()) {
            return defaults;
        }
        List<String> targets = at.get("targets").flatMap(t -> in.list(t, in::nonEmptyString)).orElse(defaults.targets());
        Optional<Located> intervalField = at.get("intervalMs");
        Optional<Integer> givenInterval = intervalField.flatMap(v -> in.integer(v, 50, MAX_INTERVAL_MS));
        int interval = givenInterval.orElse(defaults.intervalMs());
        // A probe must time out before the next one is due; a broken interval must not cause a second error.
        int timeoutBound = intervalField.isPresent() && givenInterval.isEmpty() ? MAX_INTERVAL_MS : interval;
        int timeout = intMember(at, "timeoutMs", 10, timeoutBound, " (at most intervalMs)",
                Math.min(defaults.timeoutMs(), interval));
        int downAfter = intMember(at, "downAfter", 1, 100, "", defaults.downAfter());
        int upAfter = intMember(at, "upAfter", 1, 100, "", defaults.upAfter());
        return new Probe(targets, interval, timeout, downAfter, upAfter);
    }

    private int intMember(Located object, String key, int min, int max, String why, int fallback) {
        return object.get(key).flatMap(v -> in.integer(v, min, max, why)).orElse(fallback);
    }
}
