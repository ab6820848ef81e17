package io.isthmus.api.net;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A driver for one kind of port (Ethernet, WiFi, cellular), registered as a service with the
 * property {@code port.kind} set to {@link PortKind#id()}. The kind itself is declared to the config service by
 * the driver's {@link io.isthmus.api.config.PortKindReader}.
 */
@ConsumerType
public interface PortDriver {
    PortKind kind();

    /** Status of every port this driver currently drives. */
    List<PortStatus> status();
}
