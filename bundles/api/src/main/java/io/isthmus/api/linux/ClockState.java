package io.isthmus.api.linux;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * How far the gateway's clock can be trusted for a check that depends on the date, such as a TLS certificate's
 * validity: whether an NTP client keeps it, whether that client has synchronised, and by how much the system clock
 * is off its estimate of true time. The offset matters where the client measures without setting the clock
 * ({@code chronyd -x}); where it sets it, the clock is stepped at the first sync and the offset is small.
 *
 * @param kept          whether the gateway keeps its clock with an NTP client (a first sync is to be expected)
 * @param synchronised  whether that client has synchronised to a source
 * @param offsetSeconds the system clock minus the client's estimate of true time (positive: the clock is fast);
 *                      meaningful only when synchronised
 */
@ProviderType
public record ClockState(boolean kept, boolean synchronised, double offsetSeconds) {
    /** Nobody keeps the clock: it is whatever the system says. */
    public static final ClockState UNKEPT = new ClockState(false, false, 0);

    /** The client's estimate of true time when the system clock reads {@code system}: empty unless synchronised. */
    public Optional<Instant> trueTime(Instant system) {
        return synchronised ? Optional.of(system.minus(Duration.ofNanos(Math.round(offsetSeconds * 1e9))))
                : Optional.empty();
    }
}
