package io.isthmus.uplink;

import io.isthmus.api.config.UplinkConfig.Costly;
import io.isthmus.api.config.UplinkConfig.DataCap;
import io.isthmus.api.config.UplinkConfig.EqualCost;
import io.isthmus.api.config.UplinkConfig.Probe;
import io.isthmus.api.config.UplinkConfig;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.json.JsonValueException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@code /uplink}: the health probe and the cost rules; every field left out takes its default
 * ({@link Probe#defaults()}, {@link Costly#defaults()}). Checks that need the ports (a data cap names an
 * uplink, a target is not on an offline network) are the uplink bundle's validator's.
 */
// public for the schema test of io.isthmus.config, which holds these keys against the published schema
public final class UplinkSection {
    /** Linux takes nexthop weights 1..256; 255 leaves room and reads like a byte. */
    static final int MAX_WEIGHT = 255;
    public static final List<String> KEYS = List.of("probe", "equalCost", "minDwellMs", "costly", "dataCaps", "weights",
            "management", "data");
    public static final List<String> PROBE_KEYS = List.of("targets", "intervalMs", "timeoutMs", "downAfter",
            "upAfter", "quorum");
    public static final List<String> COSTLY_KEYS = List.of("above", "intervalMs", "payloadBytes");
    public static final List<String> CAP_KEYS = List.of("bytes", "resetDay");
    private static final int MAX_INTERVAL_MS = 600_000;
    private static final int MAX_DWELL_MS = 86_400_000;

    private final JsonReader in;

    UplinkSection(JsonReader in) {
        this.in = in;
    }

    UplinkConfig read(Optional<JsonValue> section) {
        Optional<JsonValue> at = section.flatMap(s -> in.object(s, KEYS));
        if (at.isEmpty()) {
            return UplinkConfig.defaults();
        }
        JsonValue s = at.get();
        Probe probe = s.get("probe").map(this::probe).orElse(Probe.defaults());
        EqualCost equalCost = s.get("equalCost")
                .flatMap(v -> in.oneOf(v, "equalCost", Arrays.stream(EqualCost.values()).map(EqualCost::id).toList()))
                .map(id -> Arrays.stream(EqualCost.values()).filter(e -> e.id().equals(id)).findFirst().orElseThrow())
                .orElse(EqualCost.MULTIPATH);
        int dwell = intMember(s, "minDwellMs", 0, MAX_DWELL_MS, "", UplinkConfig.DEFAULT_MIN_DWELL_MS);
        Costly costly = s.get("costly").map(this::costly).orElse(Costly.defaults());
        Map<String, DataCap> caps = new LinkedHashMap<>();
        s.get("dataCaps").flatMap(in::object).ifPresent(c -> c.members().forEach(
                m -> dataCap(m).ifPresent(cap -> caps.put(m.name(), cap))));
        Map<String, Integer> weights = new LinkedHashMap<>();
        s.get("weights").flatMap(in::object).ifPresent(w -> w.members().forEach(
                m -> in.integer(m, 1, MAX_WEIGHT).ifPresent(v -> weights.put(m.name(), v))));
        // which uplinks may carry management and data: the uplink bundle's validator checks the names
        Optional<List<String>> management = s.get("management").flatMap(v -> in.list(v, in::nonEmptyString));
        Optional<List<String>> data = s.get("data").flatMap(v -> in.list(v, in::nonEmptyString));
        return new UplinkConfig(probe, equalCost, dwell, costly, caps, weights, management, data);
    }

    private Probe probe(JsonValue at) {
        Probe defaults = Probe.defaults();
        if (in.object(at, PROBE_KEYS).isEmpty()) {
            return defaults;
        }
        List<String> targets = at.get("targets").flatMap(t -> in.list(t, in::nonEmptyString)).orElse(defaults.targets());
        Optional<JsonValue> intervalField = at.get("intervalMs");
        Optional<Integer> givenInterval = intervalField.flatMap(v -> in.integer(v, 50, MAX_INTERVAL_MS));
        int interval = givenInterval.orElse(defaults.intervalMs());
        // A probe must time out before the next one is due; a broken interval must not cause a second error.
        int timeoutBound = intervalField.isPresent() && givenInterval.isEmpty() ? MAX_INTERVAL_MS : interval;
        int timeout = intMember(at, "timeoutMs", 10, timeoutBound, " (at most intervalMs)",
                Math.min(defaults.timeoutMs(), interval));
        int downAfter = intMember(at, "downAfter", 1, 100, "", defaults.downAfter());
        int upAfter = intMember(at, "upAfter", 1, 100, "", defaults.upAfter());
        int quorum = intMember(at, "quorum", 1, Math.max(1, targets.size()), " (at most the number of targets)",
                defaults.quorum());
        return new Probe(targets, interval, timeout, downAfter, upAfter, quorum);
    }

    private Costly costly(JsonValue at) {
        Costly defaults = Costly.defaults();
        if (in.object(at, COSTLY_KEYS).isEmpty()) {
            return defaults;
        }
        return new Costly(intMember(at, "above", 0, 255, "", defaults.above()),
                intMember(at, "intervalMs", 50, MAX_INTERVAL_MS, "", defaults.intervalMs()),
                intMember(at, "payloadBytes", 0, 1472, "", defaults.payloadBytes()));
    }

    private Optional<DataCap> dataCap(JsonValue at) {
        if (in.object(at, CAP_KEYS).isEmpty()) {
            return Optional.empty();
        }
        Optional<Long> bytes = in.required(at, "bytes", "a number of bytes").flatMap(this::positiveLong);
        int resetDay = intMember(at, "resetDay", 1, 28, "", 1);
        return bytes.map(b -> new DataCap(b, resetDay));
    }

    /** A whole number from 1 up to Long.MAX_VALUE (byte counts). */
    private Optional<Long> positiveLong(JsonValue at) {
        return in.read(() -> {
            try {
                return at.integer(1, Long.MAX_VALUE);
            } catch (JsonValueException e) {
                throw at.error("expected a whole number 1.." + Long.MAX_VALUE + ", got " + at.describe());
            }
        });
    }

    private int intMember(JsonValue object, String key, int min, int max, String why, int fallback) {
        return object.get(key).flatMap(v -> in.integer(v, min, max, why)).orElse(fallback);
    }
}
