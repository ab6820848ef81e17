package io.isthmus.linux;

import com.fasterxml.jackson.databind.JsonNode;
import io.isthmus.api.linux.InterfaceAddress;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Link;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Parses {@code ip -j -s link show} and {@code ip -j -4 addr show}. */
final class LinkJson {
    private final IpJson json;

    LinkJson(IpJson json) {
        this.json = json;
    }

    List<Link> links(String output) throws KernelException {
        List<Link> links = new ArrayList<>();
        for (JsonNode n : json.objects(output)) {
            Set<String> flags = new HashSet<>();
            n.path("flags").forEach(f -> flags.add(f.asText()));
            // NO-CARRIER = up but not running; LOWER_UP alone can linger for a moment after the peer went down
            boolean carrier = flags.contains("LOWER_UP") && !flags.contains("NO-CARRIER");
            JsonNode stats = n.has("stats64") ? n.path("stats64") : n.path("stats");
            links.add(new Link(name(n), n.path("ifindex").asInt(), flags.contains("UP"), carrier,
                    n.path("operstate").asText("UNKNOWN"), n.path("address").asText(""), n.path("mtu").asInt(),
                    stats.path("rx").path("bytes").asLong(), stats.path("tx").path("bytes").asLong()));
        }
        return links;
    }

    List<InterfaceAddress> addresses(String output) throws KernelException {
        List<InterfaceAddress> addresses = new ArrayList<>();
        for (JsonNode n : json.objects(output)) {
            String device = name(n);
            for (JsonNode a : n.path("addr_info")) {
                if ("inet".equals(a.path("family").asText()) && a.has("local")) {
                    addresses.add(new InterfaceAddress(device,
                            IpJson.cidr(a.path("local").asText(), a.path("prefixlen").asInt(32))));
                }
            }
        }
        return addresses;
    }

    private static String name(JsonNode n) throws KernelException {
        return IpJson.text(n, "ifname").orElseThrow(() -> new KernelException("ip -j link entry without ifname"));
    }
}
