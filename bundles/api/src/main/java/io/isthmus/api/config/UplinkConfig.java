package io.isthmus.api.config;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Uplink health probing and the cost rules of failover.
 *
 * @param equalCost uplinks of equal lowest cost: share load ({@link EqualCost#MULTIPATH}) or one at a time
 * @param minDwellMs failback to a cheaper uplink only after the active one has held this long
 * @param costly    how uplinks above a cost threshold (cellular) are probed while standby
 * @param dataCaps  per uplink port: bytes per period, after which it is used only as a last resort
 * @param weights   per uplink port: its share of new flows when equal-cost uplinks share load (default 1)
 * @param management the uplinks that may carry the gateway's own traffic (management, probes aside); empty:
 *                   every uplink
 * @param data       the uplinks that may carry traffic forwarded from the inside ports (dmz, lan, mgmt); empty:
 *                   every uplink
 */
@ProviderType
public record UplinkConfig(Probe probe, EqualCost equalCost, int minDwellMs, Costly costly,
        Map<String, DataCap> dataCaps, Map<String, Integer> weights, Optional<List<String>> management,
        Optional<List<String>> data) {

    public static final int DEFAULT_MIN_DWELL_MS = 5_000;

    public UplinkConfig {
        dataCaps = Map.copyOf(dataCaps);
        weights = Map.copyOf(weights);
        management = management.map(List::copyOf);
        data = data.map(List::copyOf);
    }

    /** Every uplink may carry both management and data. */
    public UplinkConfig(Probe probe, EqualCost equalCost, int minDwellMs, Costly costly,
            Map<String, DataCap> dataCaps, Map<String, Integer> weights) {
        this(probe, equalCost, minDwellMs, costly, dataCaps, weights, Optional.empty(), Optional.empty());
    }

    public boolean mayCarryManagement(String port) {
        return management.map(l -> l.contains(port)).orElse(true);
    }

    public boolean mayCarryData(String port) {
        return data.map(l -> l.contains(port)).orElse(true);
    }

    /**
     * Whether management and data may take different uplinks among these: false when each of them may carry
     * both or neither (no list given, or both lists allow the same ones), and one path carries both.
     */
    public boolean splitsPaths(Collection<String> uplinks) {
        return uplinks.stream().anyMatch(u -> mayCarryManagement(u) != mayCarryData(u));
    }

    /** Without weights: equal-cost uplinks share load evenly. */
    public UplinkConfig(Probe probe, EqualCost equalCost, int minDwellMs, Costly costly,
            Map<String, DataCap> dataCaps) {
        this(probe, equalCost, minDwellMs, costly, dataCaps, Map.of());
    }

    public int weightOf(String port) {
        return weights.getOrDefault(port, 1);
    }

    /** Probe settings only; the cost rules take their defaults. */
    public UplinkConfig(Probe probe) {
        this(probe, EqualCost.MULTIPATH, DEFAULT_MIN_DWELL_MS, Costly.defaults(), Map.of());
    }

    /**
     * @param quorum how many targets must answer for a probe round to count as good
     */
    public record Probe(List<String> targets, int intervalMs, int timeoutMs, int downAfter, int upAfter, int quorum) {
        public Probe {
            targets = List.copyOf(targets);
        }

        public Probe(List<String> targets, int intervalMs, int timeoutMs, int downAfter, int upAfter) {
            this(targets, intervalMs, timeoutMs, downAfter, upAfter, 1);
        }

        public static Probe defaults() {
            return new Probe(List.of(), 500, 400, 3, 5, 1);
        }
    }

    public enum EqualCost {
        MULTIPATH("multipath"), FAILOVER("failover");

        private final String id;

        EqualCost(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    /**
     * @param above        an uplink whose cost is above this is costly
     * @param intervalMs   its probe interval while it is standby
     * @param payloadBytes ICMP payload of its probes while standby
     */
    public record Costly(int above, int intervalMs, int payloadBytes) {
        public static Costly defaults() {
            return new Costly(50, 30_000, 16);
        }
    }

    /**
     * @param bytes    received + sent per period
     * @param resetDay day of the month (1..28, UTC) on which a new period begins
     */
    public record DataCap(long bytes, int resetDay) {
    }

    public static UplinkConfig defaults() {
        return new UplinkConfig(Probe.defaults());
    }
}
