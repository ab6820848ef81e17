package io.isthmus.mgmt.transport;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with "equal jitter": the n-th wait is uniformly between half and all of
 * min(max, initial × 2^n), so a fleet that lost its broker at once does not come back in lock step.
 */
public final class Backoff {
    private final long initialMs;
    private final long maxMs;
    private final DoubleSupplier random;
    private int attempts;

    public Backoff(Duration initial, Duration max, DoubleSupplier random) {
        this.initialMs = Math.max(1, initial.toMillis());
        this.maxMs = Math.max(initialMs, max.toMillis());
        this.random = random;
    }

    Duration next() {
        long ceiling = Math.min(maxMs, initialMs << Math.min(attempts, 30));
        attempts++;
        long half = ceiling / 2;
        return Duration.ofMillis(half + (long) (random.getAsDouble() * (ceiling - half)));
    }

    void reset() {
        attempts = 0;
    }
}
