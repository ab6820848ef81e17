package io.isthmus.api.uplink;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The uplink manager's decision, which the routing bundle turns into the main default route: one uplink, or
 * several with weights for a multipath route (equal costs sharing load). Empty: no uplink is usable.
 * When it changes, the manager tells every {@link UplinkListener}.
 *
 * <p>Two paths when the document restricts which uplinks carry what ({@code uplink.management},
 * {@code uplink.data}): {@link #selected()} is the management path (the main default route: the gateway's own
 * traffic), {@link #dataSelected()} the data path (traffic forwarded from the inside ports). Without such a
 * restriction they are the same.
 */
@ProviderType
public interface UplinkSelection {
    /** The management path: the uplinks of the main default route. */
    List<Weighted> selected();

    /** The data path: the uplinks that carry traffic forwarded from the inside ports (dmz, lan, mgmt). */
    default List<Weighted> dataSelected() {
        return selected();
    }

    record Weighted(String port, int weight) {
    }
}
