package io.isthmus.api.uplink;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One change of the active uplink, with everything an {@code evt/uplink} event or a log line needs.
 *
 * @param reason        why, in words, e.g. {@code "eth0 lost carrier"}, {@code "eth0: 3 probes failed"}
 * @param detectedAfter from the first sign of the problem (a failed probe, the carrier event) to the decision
 * @param selection     the new selection (several entries when equal costs share load)
 */
@ProviderType
public record UplinkSwitch(Optional<String> previous, Optional<String> current, String reason,
        Duration detectedAfter, Instant at, List<UplinkSelection.Weighted> selection) {
    public UplinkSwitch {
        selection = List.copyOf(selection);
    }
}
