package io.isthmus.net.ethernet;

import io.isthmus.api.linux.InterfaceAddress;
import io.isthmus.api.net.Ipv4Cidr;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The addresses this driver put on the kernel, kept in the bundle's data area (which survives bundle updates
 * and restarts): a new version, or the next boot, knows what it may remove and touches nothing else.
 */
final class OwnedAddresses {
    private final Optional<Path> file;

    OwnedAddresses(Optional<Path> file) {
        this.file = file;
    }

    Set<InterfaceAddress> load() {
        Set<InterfaceAddress> owned = new LinkedHashSet<>();
        if (file.isEmpty() || !Files.exists(file.get())) {
            return owned;
        }
        try {
            for (String line : Files.readAllLines(file.get(), StandardCharsets.UTF_8)) {
                String[] p = line.trim().split(" ");
                if (p.length == 2) {
                    Ipv4Cidr.parse(p[1]).ifPresent(c -> owned.add(new InterfaceAddress(p[0], c)));
                }
            }
        } catch (IOException e) {
            // a lost record only means we will not remove an address we added earlier
        }
        return owned;
    }

    void save(Set<InterfaceAddress> owned) throws IOException {
        if (file.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        owned.forEach(a -> sb.append(a.device()).append(' ').append(a.address()).append('\n'));
        Path tmp = file.get().resolveSibling(file.get().getFileName() + ".tmp");
        Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, file.get(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
