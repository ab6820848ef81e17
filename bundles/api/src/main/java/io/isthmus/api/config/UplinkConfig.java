package io.isthmus.api.config;

import java.util.List;

/** Uplink health probing. */
public record UplinkConfig(Probe probe) {

    public record Probe(List<String> targets, int intervalMs, int timeoutMs, int downAfter, int upAfter) {
        public Probe {
            targets = List.copyOf(targets);
        }

        public static Probe defaults() {
            return new Probe(List.of(), 500, 400, 3, 5);
        }
    }

    public static UplinkConfig defaults() {
        return new UplinkConfig(Probe.defaults());
    }
}
