package io.isthmus.net.ethernet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.config.Ipv4Config;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.linux.DhcpLease;
import io.isthmus.api.linux.InterfaceAddress;
import io.isthmus.api.linux.KernelChange;
import io.isthmus.api.linux.Link;
import io.isthmus.api.linux.Neighbour;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortRole;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EthernetPlanTest {

    private static Ipv4Cidr cidr(String s) {
        return Ipv4Cidr.parse(s).orElseThrow();
    }

    private static PortConfig port(PortRole role, Ipv4Config ipv4, Optional<Integer> mtu, Optional<String> mac) {
        return new PortConfig(PortKind.ETHERNET, role, 0, ipv4, mtu, mac, List.of(), Map.of());
    }

    private static PortConfig staticPort(String address) {
        return port(PortRole.DMZ, new Ipv4Config.Static(cidr(address), Optional.empty()), Optional.empty(),
                Optional.empty());
    }

    private static Link link(String name, boolean up, int mtu, String mac) {
        return new Link(name, 2, up, true, "UP", mac, mtu, 0, 0);
    }

    @Test
    void bringsLinkUpAndAddsStaticAddress() {
        EthernetPlan plan = EthernetPlan.of(Map.of("eth1", staticPort("192.168.50.1/24")),
                Map.of("eth1", link("eth1", false, 1500, "02:00:00:00:00:01")), Map.of());
        List<KernelChange> changes = plan.changes(Set.of(), Set.of());
        assertEquals(List.of(
                new KernelChange.SetLink("eth1", Optional.of(true), Optional.empty(), Optional.empty()),
                new KernelChange.AddAddress(new InterfaceAddress("eth1", cidr("192.168.50.1/24")))), changes);
    }

    @Test
    void nothingToDoWhenKernelMatches() {
        InterfaceAddress a = new InterfaceAddress("eth1", cidr("192.168.50.1/24"));
        EthernetPlan plan = EthernetPlan.of(Map.of("eth1", staticPort("192.168.50.1/24")),
                Map.of("eth1", link("eth1", true, 1500, "02:00:00:00:00:01")), Map.of());
        assertEquals(List.of(), plan.changes(Set.of(a), Set.of(a)));
    }

    @Test
    void removesOnlyAddressesItOwns() {
        InterfaceAddress old = new InterfaceAddress("eth1", cidr("192.168.51.1/24"));
        InterfaceAddress foreign = new InterfaceAddress("eth1", cidr("172.16.0.9/16"));
        InterfaceAddress wanted = new InterfaceAddress("eth1", cidr("192.168.50.1/24"));
        EthernetPlan plan = EthernetPlan.of(Map.of("eth1", staticPort("192.168.50.1/24")),
                Map.of("eth1", link("eth1", true, 1500, "02:00:00:00:00:01")), Map.of());
        List<KernelChange> changes = plan.changes(Set.of(old, foreign), Set.of(old));
        assertEquals(List.of(new KernelChange.RemoveAddress(old), new KernelChange.AddAddress(wanted)), changes);
    }

    @Test
    void mtuAndMacChangesTakeTheLinkDownForTheMac() {
        PortConfig p = port(PortRole.LAN, new Ipv4Config.Disabled(), Optional.of(1400),
                Optional.of("02:AA:00:00:00:07"));
        EthernetPlan plan = EthernetPlan.of(Map.of("eth3", p), Map.of("eth3", link("eth3", true, 1500,
                "02:00:00:00:00:01")), Map.of());
        assertEquals(List.of(
                new KernelChange.SetLink("eth3", Optional.of(false), Optional.empty(), Optional.of("02:aa:00:00:00:07")),
                new KernelChange.SetLink("eth3", Optional.of(true), Optional.of(1400), Optional.empty())),
                plan.changes(Set.of(), Set.of()));
        // once applied, the same document wants nothing
        EthernetPlan again = EthernetPlan.of(Map.of("eth3", p), Map.of("eth3", link("eth3", true, 1400,
                "02:aa:00:00:00:07")), Map.of());
        assertEquals(List.of(), again.changes(Set.of(), Set.of()));
    }

    @Test
    void dhcpPortsGetTheLeaseAddressOnceThereIsOne() {
        PortConfig p = port(PortRole.UPLINK, new Ipv4Config.Dhcp(), Optional.empty(), Optional.empty());
        Map<String, Link> links = Map.of("eth0", link("eth0", true, 1500, "02:00:00:00:00:02"));
        EthernetPlan waiting = EthernetPlan.of(Map.of("eth0", p), links, Map.of());
        assertEquals(Set.of("eth0"), waiting.dhcpPorts());
        assertTrue(waiting.addresses().isEmpty());
        DhcpLease lease = new DhcpLease("eth0", cidr("100.64.1.10/24"), Ipv4Address.parse("100.64.1.1"), List.of(),
                Optional.empty(), Duration.ofHours(1));
        EthernetPlan bound = EthernetPlan.of(Map.of("eth0", p), links, Map.of("eth0", lease));
        assertEquals(List.of(cidr("100.64.1.10/24")), bound.addressesOf("eth0"));
    }

    @Test
    void missingInterfaceIsLeftForLater() {
        EthernetPlan plan = EthernetPlan.of(Map.of("eth9", staticPort("10.0.0.1/24")), Map.of(), Map.of());
        assertEquals(List.of(), plan.changes(Set.of(), Set.of()));
    }

    @Test
    void aMacThatANeighbourHasIsAConflictNamingThePortAndTheNeighbour() {
        PortConfig wired = port(PortRole.UPLINK, new Ipv4Config.Dhcp(), Optional.empty(),
                Optional.of("02:15:00:00:00:01"));
        EthernetPlan plan = EthernetPlan.of(Map.of("eth0", wired),
                Map.of("eth0", link("eth0", true, 1500, "02:15:00:00:00:10")), Map.of());
        assertEquals(Set.of("eth0"), plan.macChanges());
        Neighbour router = new Neighbour("eth0", Ipv4Address.parse("100.64.1.1").orElseThrow(),
                Optional.of("02:15:00:00:00:01"), List.of("REACHABLE"));
        Neighbour other = new Neighbour("eth0", Ipv4Address.parse("100.64.1.7").orElseThrow(),
                Optional.of("02:15:00:00:00:07"), List.of("STALE"));
        List<String> conflicts = plan.macConflicts(Map.of("eth0", List.of(other, router)));
        assertEquals(1, conflicts.size(), conflicts::toString);
        assertTrue(conflicts.get(0).startsWith("/ports/eth0/mac: 02:15:00:00:00:01 is the MAC address of 100.64.1.1"),
                conflicts.get(0));
        assertEquals(List.of(), plan.macConflicts(Map.of("eth0", List.of(other))));
    }

    @Test
    void aMacAlreadySetIsNotCheckedAgain() {
        PortConfig wired = port(PortRole.UPLINK, new Ipv4Config.Dhcp(), Optional.empty(),
                Optional.of("02:15:00:00:00:01"));
        EthernetPlan plan = EthernetPlan.of(Map.of("eth0", wired),
                Map.of("eth0", link("eth0", true, 1500, "02:15:00:00:00:01")), Map.of());
        assertEquals(Set.of(), plan.macChanges());
    }
}
