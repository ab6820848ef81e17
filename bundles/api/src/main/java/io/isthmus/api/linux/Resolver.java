package io.isthmus.api.linux;

import io.isthmus.api.net.Ipv4Address;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The gateway's own resolver configuration: writes the resolv.conf the system uses (by default
 * {@code /run/isthmus/resolv.conf}; /etc/resolv.conf links to it on a gateway image). Writing the same
 * servers again changes nothing.
 */
@ProviderType
public interface Resolver {
    void setNameservers(List<Ipv4Address> servers) throws KernelException;

    List<Ipv4Address> nameservers();
}
