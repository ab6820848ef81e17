package io.isthmus.api.net;

import io.isthmus.api.config.ApplyException;
import io.isthmus.api.config.PortConfig;
import org.osgi.annotation.versioning.ProviderType;

/**
 * IPv4 on a port whose link layer another driver brings up (WiFi association, a cellular bearer): static
 * addresses, DHCP, gateway, DNS and MTU through the same code as Ethernet ports, so every port kind gets
 * addresses, leases, lease caching and drift repair the same way. Registered by the Ethernet bundle.
 * <p>
 * A driver calls {@link #assign} whenever what it wants changes (new document, bearer connected: a cellular
 * driver passes the bearer's settings as a static {@code ipv4}, its DNS in {@code dns} and its MTU), and
 * {@link #release} when the port leaves the document. An assignment outlives its driver's restart (the
 * addresses stay while a driver bundle is updated); a driver re-assigns its ports when it (or this service)
 * comes back, which replaces the listener.
 */
@ProviderType
public interface Ipv4Addressing {

    /**
     * Wants {@code config.ipv4()} (and MTU, DNS) on {@code port}; returns once the kernel has it.
     *
     * @param listener told, off the caller's thread, whenever the port's IPv4 status changes, and of the current
     *                 status (when there is one) before this method returns; the status carries
     *                 {@code config.kind()}; the driver adds its own details and republishes it
     */
    void assign(String port, PortConfig config, PortStatusListener listener) throws ApplyException;

    /** Removes what {@link #assign} put on the port (addresses, DHCP client); returns once that is done. */
    void release(String port) throws ApplyException;
}
