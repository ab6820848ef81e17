package io.isthmus.api.linux;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Kernel multicast routing through a private smcroute daemon (its own config file and control socket): the
 * routes given are the only ones; the group is joined on the inbound interface so IGMP-snooping switches
 * deliver it.
 */
@ProviderType
public interface MulticastRoutes {
    /** Makes exactly these routes active; an empty list stops the daemon. Writes nothing when nothing changed. */
    void set(List<MulticastRoute> routes) throws KernelException;

    /** The routes in force now, as last set. */
    List<MulticastRoute> current();
}
