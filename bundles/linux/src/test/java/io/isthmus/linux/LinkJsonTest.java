package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.linux.InterfaceAddress;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Link;
import io.isthmus.api.net.Ipv4Cidr;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LinkJsonTest {
    private final LinkJson parser = new LinkJson(new IpJson());

    @Test
    void linksWithCarrierAndStats() throws KernelException {
        Map<String, Link> links = parser.links(Captured.read("link.json")).stream()
                .collect(Collectors.toMap(Link::name, Function.identity()));
        assertEquals(List.of("lo", "va", "vb", "vc", "vd"), links.keySet().stream().sorted().toList());

        Link va = links.get("va");
        assertTrue(va.adminUp() && va.carrier());
        assertEquals("UP", va.operState());
        assertEquals(1500, va.mtu());
        assertTrue(va.mac().matches("[0-9a-f:]{17}"));
        assertTrue(va.rxBytes() > 0 && va.txBytes() > 0, "stats64 read");

        Link vc = links.get("vc");
        assertTrue(vc.adminUp(), "set up");
        assertFalse(vc.carrier(), "its peer vd is down: NO-CARRIER");
        assertEquals("LOWERLAYERDOWN", vc.operState());

        Link vd = links.get("vd");
        assertFalse(vd.adminUp() || vd.carrier());
        assertEquals("DOWN", vd.operState());

        assertTrue(links.get("lo").carrier());
        assertEquals(1, links.get("lo").index());
    }

    @Test
    void singleLink() throws KernelException {
        List<Link> links = parser.links(Captured.read("link-dev-vc.json"));
        assertEquals(1, links.size());
        assertFalse(links.get(0).carrier());
    }

    @Test
    void ipv4AddressesWithPrefix() throws KernelException {
        List<InterfaceAddress> addresses = parser.addresses(Captured.read("addr.json"));
        assertEquals(List.of(addr("lo", "127.0.0.1/8"), addr("vb", "10.20.0.1/24"), addr("vb", "10.20.0.2/32"),
                addr("va", "192.168.50.1/24"), addr("vc", "172.16.0.1/16")), addresses);
    }

    private static InterfaceAddress addr(String device, String cidr) {
        return new InterfaceAddress(device, Ipv4Cidr.parse(cidr).orElseThrow());
    }
}
