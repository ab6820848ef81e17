package io.isthmus.uplink;

import io.isthmus.api.config.UplinkConfig.DataCap;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bytes received + sent per uplink in the current cap period, from the kernel's interface counters. The last
 * counter seen is kept so that what passed while the gateway was stopped (counters keep running) still counts;
 * a counter lower than the last one means the interface was recreated and counts from zero. Persisted as one
 * line per port: {@code port periodStartEpochSeconds bytes lastCounter}.
 */
final class DataUsage {
    record Entry(Instant periodStart, long bytes, long lastCounter) {
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** The start (00:00 UTC on the reset day) of the period that holds {@code now}. */
    static Instant periodStart(Instant now, int resetDay) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate start = today.withDayOfMonth(resetDay);
        if (start.isAfter(today)) {
            start = start.minusMonths(1);
        }
        return start.atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** Counts a new counter reading; true when the stored numbers changed. */
    boolean count(String port, long counter, DataCap cap, Instant now) {
        Instant period = periodStart(now, cap.resetDay());
        Entry old = entries.get(port);
        Entry next;
        if (old == null) {
            next = new Entry(period, 0, counter); // counting starts now
        } else {
            long delta = counter >= old.lastCounter() ? counter - old.lastCounter() : counter;
            long base = old.periodStart().equals(period) ? old.bytes() : 0;
            next = new Entry(period, base + delta, counter);
        }
        entries.put(port, next);
        return !next.equals(old);
    }

    long bytes(String port) {
        return Optional.ofNullable(entries.get(port)).map(Entry::bytes).orElse(0L);
    }

    boolean reached(String port, DataCap cap, Instant now) {
        Entry e = entries.get(port);
        return e != null && e.periodStart().equals(periodStart(now, cap.resetDay())) && e.bytes() >= cap.bytes();
    }

    String serialize() {
        StringBuilder b = new StringBuilder();
        entries.forEach((port, e) -> b.append(port).append(' ').append(e.periodStart().getEpochSecond()).append(' ')
                .append(e.bytes()).append(' ').append(e.lastCounter()).append('\n'));
        return b.toString();
    }

    static DataUsage parse(List<String> lines) {
        DataUsage usage = new DataUsage();
        for (String line : lines) {
            String[] p = line.trim().split(" ");
            if (p.length == 4) {
                try {
                    usage.entries.put(p[0], new Entry(Instant.ofEpochSecond(Long.parseLong(p[1])),
                            Long.parseLong(p[2]), Long.parseLong(p[3])));
                } catch (NumberFormatException e) {
                    // a damaged line: that port counts from now
                }
            }
        }
        return usage;
    }
}
