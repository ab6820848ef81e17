package io.isthmus.api.linux;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The gateway's DHCP and DNS servers for the networks behind it (one server per interface), run and supervised by
 * the linux bundle. Leases are kept in the state directory, so they survive restarts of the gateway and updates of
 * the bundles. Serving the same list again changes nothing; a changed interface is restarted (its leases kept).
 */
@ProviderType
public interface LocalServers {
    /** Serves exactly these interfaces; an empty list stops every server. Fails when a server does not start. */
    void serve(List<LocalService> services) throws KernelException;

    /** What is served now: the list last given to {@link #serve} (empty before the first). */
    List<LocalService> served();

    /** The leases the servers have handed out, unexpired ones first by interface; empty when nothing runs. */
    List<ServedLease> leases();
}
