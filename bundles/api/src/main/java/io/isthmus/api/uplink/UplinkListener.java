package io.isthmus.api.uplink;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: told when the uplink manager's decision changes (e.g. the MQTT agent reconnects at once). Called
 * one listener after the other, highest {@code service.ranking} first, on the manager's thread: the routing
 * bundle (ranked first) has replaced the default route by the time the others hear of the switch.
 */
@ConsumerType
public interface UplinkListener {
    void activeUplinkChanged(Optional<String> previous, Optional<String> current, String reason);

    /** The active uplink changed; override for the details (detection time, selection). */
    default void uplinkSwitched(UplinkSwitch change) {
        activeUplinkChanged(change.previous(), change.current(), change.reason());
    }

    /** The selection changed (also when only the set of load-sharing uplinks did); called before uplinkSwitched. */
    default void selectionChanged(List<UplinkSelection.Weighted> selection) {
    }
}
