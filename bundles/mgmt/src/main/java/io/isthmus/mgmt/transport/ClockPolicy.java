package io.isthmus.mgmt.transport;

import io.isthmus.api.linux.ClockState;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the broker's certificate is checked against when it is "not yet valid" at the gateway's clock (a board
 * without a clock battery boots in the past): while the gateway keeps its clock and has not synchronised, for at
 * most {@code wait} from the agent's start, nothing — wait for the first sync; once synchronised, the NTP client's
 * estimate of true time (the system clock minus its offset: chronyd -x measures but does not step the clock);
 * otherwise the later of the system clock and the distribution's build time (a floor: the true time is never
 * earlier). The wait is measured on the monotonic clock, which a step of the system clock does not move.
 */
public final class ClockPolicy {
    /** Framework property: how long to wait for the first sync, in ms (0..3600000); default 300000. */
    public static final String WAIT_PROPERTY = "isthmus.time.tlsWaitMs";
    /** Framework property the launcher sets: when the distribution was built, an ISO instant. */
    public static final String BUILD_TIME_PROPERTY = "isthmus.build.time";
    static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    static final long MAX_WAIT_MS = 3_600_000;

    private final Supplier<ClockState> clock;
    private final Duration wait;
    private final Optional<Instant> buildTime;
    private final LongSupplier nanoTime;
    private final long startedNanos;

    public ClockPolicy(Supplier<ClockState> clock, Duration wait, Optional<Instant> buildTime, LongSupplier nanoTime) {
        this.clock = clock;
        this.wait = wait;
        this.buildTime = buildTime;
        this.nanoTime = nanoTime;
        this.startedNanos = nanoTime.getAsLong();
    }

    /** What to do about a certificate not yet valid when the system clock reads {@code system}. */
    public sealed interface Decision {
    }

    /** Nothing yet: a first sync is to come within {@code secondsLeft}; {@code system}: the clock (to the second). */
    public record Wait(Instant system, long secondsLeft) implements Decision {
    }

    /** Check again at {@code date}; {@code why} says where that date comes from (for the error, if it fails). */
    public record CheckAt(Instant date, String why) implements Decision {
    }

    public Decision decide(Instant system) {
        return decide(system, system.truncatedTo(ChronoUnit.SECONDS));
    }

    /** The same; {@code shown} is the system clock as the texts show it (to the second). */
    private Decision decide(Instant system, Instant shown) {
        ClockState state = state();
        Optional<Instant> trueTime = state.trueTime(system);
        if (trueTime.isPresent()) {
            return new CheckAt(trueTime.get(), "checked at " + trueTime.get().truncatedTo(ChronoUnit.SECONDS)
                    + ", the time the synchronised NTP client gives (the system clock reads " + shown + ")");
        }
        long leftNanos = wait.toNanos() - (nanoTime.getAsLong() - startedNanos);
        if (state.kept() && leftNanos > 0) {
            return new Wait(shown, (leftNanos + 999_999_999L) / 1_000_000_000L);
        }
        String unsynced = state.kept() ? "no time sync within " + wait.toSeconds() + " s"
                : "the gateway does not keep its clock (no services time part)";
        if (buildTime.isPresent() && buildTime.get().isAfter(system)) {
            return new CheckAt(buildTime.get(), "checked at " + buildTime.get() + ", the distribution's build "
                    + "time: the gateway's clock (" + shown + ") is earlier and " + unsynced);
        }
        return new CheckAt(system, "checked at the gateway's clock (" + shown + "): " + unsynced);
    }

    /** What the NTP client says; a client that cannot be asked (its bundle stopping) keeps nothing to wait for. */
    private ClockState state() {
        try {
            return clock.get();
        } catch (RuntimeException e) {
            return ClockState.UNKEPT;
        }
    }

    /**
     * The policy the framework's properties give, from now on. A bad value changes nothing: {@code error} gets the
     * reason, and the default (the wait) or no floor (the build time) applies.
     */
    public static ClockPolicy of(Function<String, String> properties, Supplier<ClockState> clock,
            Consumer<String> error) {
        Duration wait = DEFAULT_WAIT;
        Optional<Instant> built = Optional.empty();
        try {
            wait = waitFor(properties.apply(WAIT_PROPERTY));
        } catch (IllegalArgumentException e) {
            error.accept(e.getMessage() + "; using " + DEFAULT_WAIT.toMillis() + " ms");
        }
        try {
            built = buildTime(properties.apply(BUILD_TIME_PROPERTY));
        } catch (IllegalArgumentException e) {
            error.accept(e.getMessage() + "; no floor for the clock");
        }
        return new ClockPolicy(clock, wait, built, System::nanoTime);
    }

    /**
     * The wait {@value #WAIT_PROPERTY} gives: absent or blank is the default.
     *
     * @throws IllegalArgumentException naming the property, the value and the allowed range
     */
    public static Duration waitFor(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_WAIT;
        }
        long ms;
        try {
            ms = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(WAIT_PROPERTY + ": '" + value + "' is not a whole number of ms");
        }
        if (ms < 0 || ms > MAX_WAIT_MS) {
            throw new IllegalArgumentException(WAIT_PROPERTY + ": " + ms + " is outside 0.." + MAX_WAIT_MS + " ms");
        }
        return Duration.ofMillis(ms);
    }

    /** The build time {@value #BUILD_TIME_PROPERTY} gives; empty when absent (a framework without the launcher). */
    public static Optional<Instant> buildTime(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value.strip()));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(BUILD_TIME_PROPERTY + ": '" + value + "' is not an ISO instant");
        }
    }
}
