package io.isthmus.api.uplink;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** What the uplink manager knows: every uplink's health, the active one and since when. */
@ProviderType
public interface UplinkStatus {
    List<UplinkState> uplinks();

    Optional<String> active();

    Optional<Instant> activeSince();
}
