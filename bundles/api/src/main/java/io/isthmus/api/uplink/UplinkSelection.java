package io.isthmus.api.uplink;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The uplink manager's decision, which the routing bundle turns into the main default route: one uplink, or
 * several with weights for a multipath route (equal costs sharing load). Empty: no uplink is usable.
 * When it changes, the manager tells every {@link UplinkListener}.
 */
@ProviderType
public interface UplinkSelection {
    List<Weighted> selected();

    record Weighted(String port, int weight) {
    }
}
