package io.isthmus.api.uplink;

import java.util.Optional;

/** Whiteboard: told when the active uplink changes (e.g. the MQTT agent reconnects at once). */
public interface UplinkListener {
    void activeUplinkChanged(Optional<String> previous, Optional<String> current, String reason);
}
