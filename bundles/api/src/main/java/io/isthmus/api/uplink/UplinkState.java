package io.isthmus.api.uplink;

import java.time.Instant;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Health of one uplink as the uplink manager sees it.
 *
 * @param loss            share of failed probes over the recent ones, 0..1
 * @param since           when the health last changed
 * @param bytesThisPeriod received + sent on the port since the data cap's period began
 * @param capBytes        the data cap per period, if the document sets one
 * @param capReached      the cap is reached: the uplink is used only when no other is up
 */
@ProviderType
public record UplinkState(String port, int cost, Health health, Optional<Double> rttMs, double loss,
        Instant since, long bytesThisPeriod, Optional<Long> capBytes, boolean capReached) {

    public enum Health { UP, DEGRADED, DOWN, UNKNOWN }

    /** Without data usage (no cap counted). */
    public UplinkState(String port, int cost, Health health, Optional<Double> rttMs, double loss, Instant since) {
        this(port, cost, health, rttMs, loss, since, 0, Optional.empty(), false);
    }
}
