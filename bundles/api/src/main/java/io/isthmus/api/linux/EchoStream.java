package io.isthmus.api.linux;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A long-lived ICMP echo sequence from one source address to one target, one echo every interval, started by
 * {@link Pinger#stream}: one process for the whole sequence instead of one per echo. Closing it ends it.
 */
public interface EchoStream extends AutoCloseable {

    /** Where each echo's outcome goes, in sequence order, on the stream's own thread; must not block. */
    @FunctionalInterface
    interface Outcomes {
        /**
         * @param seq  1 for the first echo, then one more per interval
         * @param rtt  the round-trip time ({@link Duration#ZERO} when the payload is too small to measure it),
         *             or empty when no reply came within the timeout
         * @param sent when the echo was sent (as far as the stream can tell)
         */
        void echo(long seq, Optional<Duration> rtt, Instant sent);
    }

    @Override
    void close();
}
