package io.isthmus.api.uplink;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What the uplink manager knows: every uplink's health, the active one (the first of the management path: it holds
 * the main default route) and since when, and both paths.
 */
@ProviderType
public interface UplinkStatus {
    List<UplinkState> uplinks();

    Optional<String> active();

    Optional<Instant> activeSince();

    /** The uplinks carrying the gateway's own traffic (several when equal costs share load). */
    default List<String> managementPath() {
        return active().map(List::of).orElse(List.of());
    }

    /** The uplinks carrying traffic forwarded from the inside ports; the management path unless restricted. */
    default List<String> dataPath() {
        return managementPath();
    }
}
