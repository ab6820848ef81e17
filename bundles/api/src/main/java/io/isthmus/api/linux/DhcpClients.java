package io.isthmus.api.linux;

import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;
import org.osgi.annotation.versioning.ProviderType;

/**
 * DHCP clients, one per port. The client only reports leases; it never writes addresses or routes, so an
 * offline port cannot get a default route from its DHCP server.
 */
@ProviderType
public interface DhcpClients {

    /**
     * Starts (or keeps, when already running with the same settings) the client on a device.
     *
     * @param useRouter request and report the router option and the NTP servers (option 42) (uplinks); false for
     *                  every other role
     */
    void start(String device, boolean useRouter, DhcpListener listener) throws KernelException;

    void stop(String device);

    Optional<DhcpLease> lease(String device);

    /** Called when a lease is bound or renewed (present) or lost (empty). Implemented by the client's user. */
    @ConsumerType
    interface DhcpListener {
        void leaseChanged(String device, Optional<DhcpLease> lease);
    }
}
