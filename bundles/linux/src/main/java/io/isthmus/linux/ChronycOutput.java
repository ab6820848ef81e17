package io.isthmus.linux;

import io.isthmus.api.linux.TimeStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@code chronyc -c -n tracking} and {@code chronyc -c -n sources} (comma-separated, addresses not resolved).
 * tracking's fields: reference id, reference address, stratum, reference time, current correction (positive: the
 * system clock is slow), last offset, ..., leap status.
 */
final class ChronycOutput {
    private static final Map<String, String> STATES = Map.of("*", "selected", "+", "combined", "-", "not combined",
            "?", "unreachable", "x", "falseticker", "~", "too variable");

    private ChronycOutput() {
    }

    static TimeStatus parse(String tracking, String sources) {
        String[] t = tracking.strip().split(",", -1);
        List<TimeStatus.Source> list = sources(sources);
        if (t.length < 14) {
            return new TimeStatus(true, false, Optional.empty(), 0, 0, Optional.empty(), list);
        }
        boolean synced = !t[13].equals("Not synchronised") && !t[1].isEmpty();
        double correction = number(t[4]);
        double reference = number(t[3]);
        Optional<Instant> last = reference > 0 ? Optional.of(Instant.ofEpochMilli(Math.round(reference * 1000)))
                : Optional.empty();
        return new TimeStatus(true, synced, synced ? Optional.of(t[1]) : Optional.empty(), synced ? integer(t[2]) : 0,
                -correction, last, list);
    }

    static List<TimeStatus.Source> sources(String text) {
        List<TimeStatus.Source> list = new ArrayList<>();
        for (String line : text.lines().toList()) {
            String[] f = line.split(",", -1);
            if (f.length >= 6 && f[0].equals("^")) {
                list.add(new TimeStatus.Source(f[2], STATES.getOrDefault(f[1], f[1]), integer(f[3]),
                        reach(f[5])));
            }
        }
        return list;
    }

    private static int reach(String octal) {
        try {
            return Integer.parseInt(octal, 8);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int integer(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static double number(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
