package io.isthmus.linux;

import io.isthmus.api.linux.Diagnostics.PingResult;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the summary lines of iputils {@code ping}. */
final class PingOutput {
    private static final Pattern COUNTS = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");
    private static final Pattern RTT = Pattern.compile("= ([0-9.]+)/([0-9.]+)/([0-9.]+)/[0-9.]+ ms");

    private PingOutput() {
    }

    static PingResult parse(String target, String stdout, String stderr) {
        Matcher counts = COUNTS.matcher(stdout);
        if (!counts.find()) {
            String why = stderr.strip().isEmpty() ? "ping printed no statistics" : stderr.strip().lines()
                    .reduce((a, b) -> b).orElse("").replaceFirst("^ping: ", "");
            return new PingResult(target, 0, 0, Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.of(why));
        }
        Matcher rtt = RTT.matcher(stdout);
        boolean times = rtt.find();
        return new PingResult(target, Integer.parseInt(counts.group(1)), Integer.parseInt(counts.group(2)),
                times ? Optional.of(Double.parseDouble(rtt.group(1))) : Optional.empty(),
                times ? Optional.of(Double.parseDouble(rtt.group(2))) : Optional.empty(),
                times ? Optional.of(Double.parseDouble(rtt.group(3))) : Optional.empty(), Optional.empty());
    }
}
