package io.isthmus.api.linux;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The gateway's clock, kept by an NTP client (chronyd) run and supervised by the linux bundle, which can also serve
 * time to the networks behind the gateway. Keeping the same sync again changes nothing; a changed one restarts the
 * client (its drift file kept in the state directory).
 */
@ProviderType
public interface TimeKeeper {
    /** Keeps the clock with {@code sync}; empty stops the client. Fails when the client does not start. */
    void keep(Optional<TimeSync> sync) throws KernelException;

    /** What is kept now: the sync last given to {@link #keep} (empty before the first or after an empty one). */
    Optional<TimeSync> kept();

    /** The client's state now, asked from it; not running when nothing is kept or it does not answer. */
    TimeStatus timeStatus();

    /** How far the clock can be trusted now (what {@link #kept} and {@link #timeStatus} say, in one). */
    default ClockState clockState() {
        boolean kept = kept().isPresent();
        if (!kept) {
            return ClockState.UNKEPT;
        }
        TimeStatus s = timeStatus();
        return new ClockState(true, s.synchronised(), s.offsetSeconds());
    }
}
