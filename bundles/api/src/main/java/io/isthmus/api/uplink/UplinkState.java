package io.isthmus.api.uplink;

import java.time.Instant;
import java.util.Optional;

/** Health of one uplink as the uplink manager sees it. */
public record UplinkState(String port, int cost, Health health, Optional<Double> rttMs, double loss,
        Instant since) {

    public enum Health { UP, DEGRADED, DOWN, UNKNOWN }
}
