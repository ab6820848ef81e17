package io.isthmus.api.net;

/**
 * Whiteboard: told when a port's status changes (carrier, addresses, gateway, DNS), e.g. so that routing
 * can follow a new DHCP lease. Must not block.
 */
public interface PortStatusListener {
    void portChanged(PortStatus status);
}
