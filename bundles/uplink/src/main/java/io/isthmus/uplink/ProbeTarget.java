package io.isthmus.uplink;

import io.isthmus.api.net.Ipv4Address;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a probe checks, from the document's {@code probe.targets}: {@code ADDRESS} or {@code HOST} (ICMP echo),
 * {@code tcp:HOST:PORT} (TCP connect) or {@code dns:SERVER:NAME} (a DNS query for NAME).
 */
sealed interface ProbeTarget {
    /** A host name or IPv4 address. */
    String host();

    /** The host as an address when it is written as one. */
    default Optional<Ipv4Address> literal() {
        return Ipv4Address.parse(host());
    }

    record Icmp(String host) implements ProbeTarget {
    }

    record Tcp(String host, int port) implements ProbeTarget {
    }

    record Dns(String host, String name) implements ProbeTarget {
    }

    /** A parsed target or why the text is not one. */
    record Parsed(Optional<ProbeTarget> target, String problem) {
    }

    Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
    Pattern TCP = Pattern.compile("tcp:([^:]+):(\\d{1,5})");
    Pattern DNS = Pattern.compile("dns:([^:]+):([^:]+)");

    static Parsed parse(String text) {
        Matcher tcp = TCP.matcher(text);
        Matcher dns = DNS.matcher(text);
        if (tcp.matches()) {
            int port = Integer.parseInt(tcp.group(2));
            if (port < 1 || port > 65535) {
                return problem("TCP port " + port + " is out of range 1..65535");
            }
            return host(tcp.group(1)).map(h -> ok(new Tcp(h, port))).orElse(problem(badHost(tcp.group(1))));
        }
        if (dns.matches()) {
            if (!HOST.matcher(dns.group(2)).matches()) {
                return problem("\"" + dns.group(2) + "\" is not a DNS name to query");
            }
            return host(dns.group(1)).map(h -> ok(new Dns(h, dns.group(2)))).orElse(problem(badHost(dns.group(1))));
        }
        String host = text.startsWith("icmp:") ? text.substring(5) : text;
        return host(host).map(h -> ok(new Icmp(h))).orElse(problem(badHost(text) + "; expected an address or host "
                + "name (ICMP echo), tcp:HOST:PORT or dns:SERVER:NAME"));
    }

    private static Optional<String> host(String text) {
        return HOST.matcher(text).matches() ? Optional.of(text) : Optional.empty();
    }

    private static String badHost(String text) {
        return "\"" + text + "\" is not a host name or IPv4 address";
    }

    private static Parsed ok(ProbeTarget t) {
        return new Parsed(Optional.of(t), "");
    }

    private static Parsed problem(String why) {
        return new Parsed(Optional.empty(), why);
    }
}
