package io.isthmus.api.linux;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The gateway's clock, kept by an NTP client (chronyd), which can also serve time to the networks behind the
 * gateway: run and supervised by the linux bundle, or on an installed gateway the system's
 * {@code isthmus-chrony.service}, which the linux bundle reconfigures over its command socket. Keeping the same sync
 * again changes nothing.
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
