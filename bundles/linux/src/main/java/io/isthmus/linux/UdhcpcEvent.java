package io.isthmus.linux;

import io.isthmus.api.linux.DhcpLease;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One line our udhcpc script prints: {@code ISTHMUS <event> ip=… mask=… subnet=… router=a,b dns=a,b mtu=…
 * lease=… ntp=a,b}. Values come from a DHCP server, so each is parsed strictly; a lease that does not parse is no lease.
 */
record UdhcpcEvent(String event, Optional<DhcpLease> lease) {
    static final String PREFIX = "ISTHMUS ";

    /** bound and renew carry a lease; deconfig, leasefail and nak end one; other lines are not events. */
    static Optional<UdhcpcEvent> parse(String device, String line, boolean useRouter) {
        if (!line.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String[] words = line.substring(PREFIX.length()).trim().split(" ");
        String event = words[0];
        Map<String, String> values = new HashMap<>();
        for (int i = 1; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq > 0) {
                values.put(words[i].substring(0, eq), words[i].substring(eq + 1));
            }
        }
        return switch (event) {
            case "bound", "renew" -> Optional.of(new UdhcpcEvent(event, lease(device, values, useRouter)));
            case "deconfig", "leasefail", "nak" -> Optional.of(new UdhcpcEvent(event, Optional.empty()));
            default -> Optional.empty();
        };
    }

    private static Optional<DhcpLease> lease(String device, Map<String, String> v, boolean useRouter) {
        Optional<Ipv4Address> ip = Ipv4Address.parse(v.getOrDefault("ip", ""));
        Optional<Integer> prefix = number(v.get("mask")).filter(p -> p <= 32).or(() -> prefixOf(v.get("subnet")));
        if (ip.isEmpty() || prefix.isEmpty()) {
            return Optional.empty();
        }
        // without useRouter the option was not requested; a router the server sends anyway is dropped
        Optional<Ipv4Address> router = useRouter ? addresses(v.get("router")).stream().findFirst() : Optional.empty();
        List<Ipv4Address> ntp = useRouter ? addresses(v.get("ntp")) : List.of();
        Optional<Integer> mtu = number(v.get("mtu")).filter(m -> m >= 68 && m <= 65535);
        Duration leaseTime = Duration.ofSeconds(number(v.get("lease")).orElse(0));
        return Optional.of(new DhcpLease(device, new Ipv4Cidr(ip.get(), prefix.get()), router,
                addresses(v.get("dns")), mtu, leaseTime, ntp));
    }

    private static List<Ipv4Address> addresses(String list) {
        List<Ipv4Address> out = new ArrayList<>();
        if (list != null) {
            for (String s : list.split(",")) {
                Ipv4Address.parse(s).ifPresent(out::add);
            }
        }
        return out;
    }

    private static Optional<Integer> number(String s) {
        if (s == null || s.isEmpty() || s.length() > 9 || !s.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(s));
    }

    /** 255.255.255.0 → 24; empty unless the mask is contiguous. */
    private static Optional<Integer> prefixOf(String mask) {
        return Ipv4Address.parse(mask == null ? "" : mask).map(Ipv4Address::bits)
                .filter(bits -> (~bits & (~bits + 1)) == 0) // the host part is all ones
                .map(Integer::bitCount);
    }
}
