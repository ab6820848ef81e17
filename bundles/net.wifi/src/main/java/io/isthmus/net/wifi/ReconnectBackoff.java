package io.isthmus.net.wifi;

import java.time.Duration;

/** Exponential back-off between reconnect attempts: min, 2·min, 4·min, … up to max; reset after success. */
final class ReconnectBackoff {
    private final Duration min;
    private final Duration max;
    private Duration next;

    ReconnectBackoff(Duration min, Duration max) {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("back-off needs 0 < min <= max");
        }
        this.min = min;
        this.max = max;
        this.next = min;
    }

    /** The wait before the next attempt; each call doubles the one after, up to max. */
    Duration next() {
        Duration now = next;
        next = next.multipliedBy(2).compareTo(max) > 0 ? max : next.multipliedBy(2);
        return now;
    }

    void reset() {
        next = min;
    }
}
