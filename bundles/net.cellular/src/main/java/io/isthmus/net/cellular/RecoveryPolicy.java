package io.isthmus.net.cellular;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When to try again, and when a modem reset is due: a pure policy, given failures and the time (no clock, no
 * threads of its own). Transient failures (no registration, bearer lost, connect failed) back off exponentially
 * from {@code reconnectMin} to {@code reconnectMax} with up to 20 % jitter; after {@code resetAfterFailures} of
 * them in a row a reset is due, but never within {@code minResetInterval} of the previous one. Configuration
 * errors (wrong APN, wrong PIN, no SIM) never count towards a reset: a wrong APN is retried slowly
 * ({@code reconnectMax}), a wrong PIN never (the SIM would lock itself after three wrong PINs) until the
 * document changes, which makes a new policy. A connection forgives the failures before it only once it has
 * held for {@code minResetInterval}: a bearer that keeps dropping soon after connecting (a flaky modem, a cell
 * that accepts and then drops the PDP context) still counts towards a reset instead of reconnecting forever.
 */
final class RecoveryPolicy {

    /** What to do now. */
    sealed interface Decision {
        /** Nothing until then. */
        record Wait(Instant until) implements Decision {
        }

        /** Try to connect (unlock, enable, connect: whatever the modem needs next). */
        record Attempt() implements Decision {
        }

        /** Reset the modem, then {@link #resetDone}. */
        record Reset() implements Decision {
        }

        /** A configuration error that is not retried before the document changes. */
        record Blocked(String problem) implements Decision {
        }
    }

    private final CellularSettings.Recovery settings;
    private final DoubleSupplier jitter;
    private int failures;
    private int resets;
    private Instant nextAttempt = Instant.EPOCH;
    private Optional<Instant> lastReset = Optional.empty();
    private Optional<String> lastFailure = Optional.empty();
    private Optional<String> configError = Optional.empty();
    private boolean permanent;
    private Optional<Instant> connectedSince = Optional.empty();

    /** @param jitter values in [0, 1): 0 is no jitter */
    RecoveryPolicy(CellularSettings.Recovery settings, DoubleSupplier jitter) {
        this.settings = settings;
        this.jitter = jitter;
    }

    Decision next(Instant now) {
        if (permanent) {
            return new Decision.Blocked(configError.orElse("configuration error"));
        }
        if (now.isBefore(nextAttempt)) {
            return new Decision.Wait(nextAttempt);
        }
        if (failures >= settings.resetAfterFailures() && lastReset.map(r -> !now.isBefore(
                r.plus(settings.minResetInterval()))).orElse(true)) {
            return new Decision.Reset();
        }
        return new Decision.Attempt();
    }

    /** A transient failure: counts towards a reset, backs off. */
    void failed(Instant now, String why) {
        if (connectedSince.filter(c -> !now.isBefore(c.plus(settings.minResetInterval()))).isPresent()) {
            failures = 0; // the connection held: this is a new incident
        }
        connectedSince = Optional.empty();
        failures++;
        lastFailure = Optional.of(why);
        configError = Optional.empty();
        nextAttempt = now.plus(backoff(failures));
    }

    /** A configuration error the network or modem reported: retried after {@code reconnectMax}, never a reset. */
    void configError(Instant now, String problem) {
        configError = Optional.of(problem);
        failures = 0;
        nextAttempt = now.plus(settings.reconnectMax());
    }

    /** A configuration error that must not be retried at all (a wrong PIN): until the document changes. */
    void permanentError(String problem) {
        configError = Optional.of(problem);
        permanent = true;
        failures = 0;
    }

    /**
     * The bearer is up. The next failure starts the backoff afresh if the connection held for
     * {@code minResetInterval}; sooner, it counts on from the failures before.
     */
    void succeeded(Instant now) {
        connectedSince = Optional.of(now);
        lastFailure = Optional.empty();
        configError = Optional.empty();
        nextAttempt = Instant.EPOCH;
    }

    /** A reset was sent: the modem gets {@code reconnectMin} to come back before the next attempt. */
    void resetDone(Instant now) {
        resets++;
        failures = 0;
        lastReset = Optional.of(now);
        nextAttempt = now.plus(settings.reconnectMin());
    }

    /** The delay after the n-th failure in a row: min * 2^(n-1), at most max, plus up to 20 % jitter (capped). */
    Duration backoff(int n) {
        long min = settings.reconnectMin().toMillis();
        long max = settings.reconnectMax().toMillis();
        long base = min << Math.min(n - 1, 30);
        if (base <= 0 || base > max) {
            base = max;
        }
        long withJitter = base + (long) (base * 0.2 * jitter.getAsDouble());
        return Duration.ofMillis(Math.min(withJitter, Math.max(max, base)));
    }

    /** Carries the history of the same settings over into a new policy object. */
    void copyFrom(RecoveryPolicy other) {
        failures = other.failures;
        resets = other.resets;
        nextAttempt = other.nextAttempt;
        lastReset = other.lastReset;
        lastFailure = other.lastFailure;
        configError = other.configError;
        permanent = other.permanent;
        connectedSince = other.connectedSince;
    }

    int failures() {
        return failures;
    }

    int resets() {
        return resets;
    }

    Optional<Instant> lastReset() {
        return lastReset;
    }

    Optional<String> lastFailure() {
        return lastFailure;
    }

    Optional<String> configError() {
        return configError;
    }

    Instant nextAttempt() {
        return nextAttempt;
    }
}
