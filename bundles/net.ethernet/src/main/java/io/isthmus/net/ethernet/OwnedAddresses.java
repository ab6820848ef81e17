package io.isthmus.net.ethernet;

import io.isthmus.api.linux.InterfaceAddress;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.runtime.DataFile;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The addresses this driver put on the kernel, kept in the bundle's data area (which survives bundle updates
 * and restarts): a new version, or the next boot, knows what it may remove and touches nothing else.
 */
final class OwnedAddresses {
    private final DataFile file;

    OwnedAddresses(DataFile file) {
        this.file = file;
    }

    Set<InterfaceAddress> load() {
        Set<InterfaceAddress> owned = new LinkedHashSet<>();
        // a lost record only means we will not remove an address we added earlier
        for (String line : file.lines()) {
            String[] p = line.trim().split(" ");
            if (p.length == 2) {
                Ipv4Cidr.parse(p[1]).ifPresent(c -> owned.add(new InterfaceAddress(p[0], c)));
            }
        }
        return owned;
    }

    void save(Set<InterfaceAddress> owned) throws IOException {
        StringBuilder sb = new StringBuilder();
        owned.forEach(a -> sb.append(a.device()).append(' ').append(a.address()).append('\n'));
        file.replace(sb.toString());
    }
}
