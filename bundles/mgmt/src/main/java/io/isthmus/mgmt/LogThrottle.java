package io.isthmus.mgmt;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * At most one log line per interval for one kind of problem; the next line that gets through says how many were
 * left out. A full disk must not turn into a flood of identical errors (that fills the log's disk too).
 */
final class LogThrottle implements Consumer<String> {
    private final Duration interval;
    private final LongSupplier nanos;
    private final Consumer<String> out;
    private long last;
    private boolean any;
    private long suppressed;

    LogThrottle(Duration interval, LongSupplier nanos, Consumer<String> out) {
        this.interval = interval;
        this.nanos = nanos;
        this.out = out;
    }

    @Override
    public void accept(String line) {
        String text;
        synchronized (this) {
            long now = nanos.getAsLong();
            if (any && now - last < interval.toNanos()) {
                suppressed++;
                return;
            }
            text = suppressed == 0 ? line : line + " (" + suppressed + " more like it in the last "
                    + interval.toSeconds() + " s not logged)";
            any = true;
            last = now;
            suppressed = 0;
        }
        out.accept(text);
    }

    synchronized long suppressed() {
        return suppressed;
    }
}
