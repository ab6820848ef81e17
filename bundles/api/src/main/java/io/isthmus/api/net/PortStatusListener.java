package io.isthmus.api.net;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: told when a port's status changes (carrier, addresses, gateway, DNS), e.g. so that routing
 * can follow a new DHCP lease. Must not block.
 */
@ConsumerType
public interface PortStatusListener {
    void portChanged(PortStatus status);
}
