package io.isthmus.api.linux;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The network stack of the namespace the gateway runs in. Reads parse {@code ip -j}; writes go through
 * {@code ip -batch} (argv, never a shell) after every interface name and address was validated.
 */
@ProviderType
public interface Kernel {
    List<Link> links() throws KernelException;

    List<InterfaceAddress> addresses() throws KernelException;

    /** IPv4 routes of every table (unicast and the special types; not the local/broadcast table entries). */
    List<Route> routes() throws KernelException;

    List<Rule> rules() throws KernelException;

    /** The IPv4 neighbours the kernel knows on one link (its ARP cache); empty for a link it has none on. */
    List<Neighbour> neighbours(String device) throws KernelException;

    Optional<String> sysctl(String key) throws KernelException;

    /** Applies the changes in order; stops at the first failure, naming the change that failed. */
    void apply(List<KernelChange> changes) throws KernelException;

    /** How many changes this service has written since it started: a no-op reconcile adds none. */
    long writes();
}
