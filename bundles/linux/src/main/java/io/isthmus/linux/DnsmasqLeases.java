package io.isthmus.linux;

import io.isthmus.api.linux.ServedLease;
import io.isthmus.api.net.Ipv4Address;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** dnsmasq's lease file: one lease a line, {@code expiry-epoch mac address name|* client-id|*}. */
final class DnsmasqLeases {
    private DnsmasqLeases() {
    }

    static List<ServedLease> parse(String device, String text) {
        List<ServedLease> leases = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4 || f[0].startsWith("duid")) {
                continue;
            }
            Optional<Ipv4Address> address = Ipv4Address.parse(f[2]);
            long expiry;
            try {
                expiry = Long.parseLong(f[0]);
            } catch (NumberFormatException e) {
                continue; // not a lease line
            }
            if (address.isEmpty()) {
                continue;
            }
            leases.add(new ServedLease(device, f[1].toLowerCase(java.util.Locale.ROOT), address.get(),
                    f[3].equals("*") ? Optional.empty() : Optional.of(f[3]),
                    expiry == 0 ? Instant.MAX : Instant.ofEpochSecond(expiry)));
        }
        return leases;
    }
}
