package io.isthmus.api.linux;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The NTP client's state, as chronyc reports it.
 *
 * @param running       whether the client runs and answered
 * @param synchronised  whether it has a selected source (leap status not "Not synchronised")
 * @param source        the selected source's address, when synchronised
 * @param stratum       the gateway's stratum (0 when not synchronised)
 * @param offsetSeconds how far the system clock is from the client's estimate of true time (positive: fast)
 * @param lastSync      when the clock was last updated from a source
 * @param sources       every configured source
 */
@ProviderType
public record TimeStatus(boolean running, boolean synchronised, Optional<String> source, int stratum,
        double offsetSeconds, Optional<Instant> lastSync, List<Source> sources) {
    public TimeStatus {
        sources = List.copyOf(sources);
    }

    public static TimeStatus notRunning() {
        return new TimeStatus(false, false, Optional.empty(), 0, 0, Optional.empty(), List.of());
    }

    /**
     * One NTP source: its address, chronyc's state ({@code selected}, {@code combined}, {@code not combined},
     * {@code unreachable}, ...), its stratum and its reach register (octal 377: the last eight polls answered).
     */
    @ProviderType
    public record Source(String address, String state, int stratum, int reach) {
    }
}
