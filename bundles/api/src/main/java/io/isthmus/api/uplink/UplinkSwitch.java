package io.isthmus.api.uplink;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One change of the active uplink of a path, with everything an {@code evt/uplink} event or a log line needs.
 *
 * @param reason        why, in words, e.g. {@code "eth0 lost carrier"}, {@code "eth0: 3 probes failed"}
 * @param detectedAfter from the first sign of the problem (a failed probe, the carrier event) to the decision
 * @param selection     the new selection of the path (several entries when equal costs share load)
 * @param paths         which paths switched: both when one path carries both (nothing restricted)
 */
@ProviderType
public record UplinkSwitch(Optional<String> previous, Optional<String> current, String reason,
        Duration detectedAfter, Instant at, List<UplinkSelection.Weighted> selection, Set<Path> paths) {

    /** The gateway's own traffic (the main default route), or traffic forwarded from the inside ports. */
    public enum Path {
        MANAGEMENT("management"), DATA("data");

        private final String id;

        Path(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    public UplinkSwitch {
        selection = List.copyOf(selection);
        paths = paths.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(paths));
    }

    /** A switch of the one path that carries both management and data. */
    public UplinkSwitch(Optional<String> previous, Optional<String> current, String reason, Duration detectedAfter,
            Instant at, List<UplinkSelection.Weighted> selection) {
        this(previous, current, reason, detectedAfter, at, selection, EnumSet.allOf(Path.class));
    }

    public boolean management() {
        return paths.contains(Path.MANAGEMENT);
    }
}
