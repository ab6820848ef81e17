package io.isthmus.net.ethernet;

import io.isthmus.api.config.Ipv4Config;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.linux.DhcpLease;
import io.isthmus.api.linux.InterfaceAddress;
import io.isthmus.api.linux.KernelChange;
import io.isthmus.api.linux.Link;
import io.isthmus.api.linux.Neighbour;
import io.isthmus.api.net.Ipv4Cidr;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The desired kernel state of the Ethernet ports, as a pure function of the document's ports, the links
 * the kernel has and the DHCP leases; and the difference to what the kernel shows.
 *
 * @param addresses the addresses Isthmus wants on its ports (it owns exactly these)
 * @param links     per present port: admin up, and MTU/MAC when the document sets them
 */
record EthernetPlan(Set<InterfaceAddress> addresses, List<KernelChange.SetLink> links, Set<String> dhcpPorts) {

    static EthernetPlan of(Map<String, PortConfig> ports, Map<String, Link> links, Map<String, DhcpLease> leases) {
        Set<InterfaceAddress> addresses = new LinkedHashSet<>();
        List<KernelChange.SetLink> linkChanges = new ArrayList<>();
        Set<String> dhcp = new LinkedHashSet<>();
        ports.forEach((name, port) -> {
            Link link = links.get(name);
            if (link == null) {
                return; // reported missing; applied when it appears
            }
            Optional<Boolean> up = link.adminUp() ? Optional.empty() : Optional.of(true);
            Optional<Integer> mtu = port.mtu().filter(m -> m != link.mtu());
            Optional<String> mac = port.mac().map(m -> m.toLowerCase(Locale.ROOT))
                    .filter(m -> !m.equalsIgnoreCase(link.mac()));
            if (up.isPresent() || mtu.isPresent() || mac.isPresent()) {
                linkChanges.add(new KernelChange.SetLink(name, up, mtu, mac));
            }
            if (port.ipv4() instanceof Ipv4Config.Static s) {
                addresses.add(new InterfaceAddress(name, s.address()));
            } else if (port.ipv4() instanceof Ipv4Config.Dhcp) {
                dhcp.add(name);
                DhcpLease lease = leases.get(name);
                if (lease != null) {
                    addresses.add(new InterfaceAddress(name, lease.address()));
                }
            }
        });
        return new EthernetPlan(Set.copyOf(addresses), List.copyOf(linkChanges), Set.copyOf(dhcp));
    }

    /**
     * Changes that bring the kernel to this plan. Only addresses Isthmus put there before ({@code owned}) are
     * ever removed; a MAC change needs the link down, so it is wrapped in down/up.
     */
    List<KernelChange> changes(Set<InterfaceAddress> present, Set<InterfaceAddress> owned) {
        List<KernelChange> changes = new ArrayList<>();
        for (KernelChange.SetLink l : links) {
            if (l.mac().isPresent()) {
                changes.add(new KernelChange.SetLink(l.device(), Optional.of(false), Optional.empty(), l.mac()));
                changes.add(new KernelChange.SetLink(l.device(), Optional.of(true), l.mtu(), Optional.empty()));
            } else {
                changes.add(l);
            }
        }
        for (InterfaceAddress a : owned) {
            if (!addresses.contains(a) && present.contains(a)) {
                changes.add(new KernelChange.RemoveAddress(a));
            }
        }
        for (InterfaceAddress a : addresses) {
            if (!present.contains(a)) {
                changes.add(new KernelChange.AddAddress(a));
            }
        }
        return changes;
    }

    /** The ports whose MAC this plan changes: their neighbours are read to check {@link #macConflicts}. */
    Set<String> macChanges() {
        Set<String> ports = new LinkedHashSet<>();
        links.stream().filter(l -> l.mac().isPresent()).forEach(l -> ports.add(l.device()));
        return ports;
    }

    /**
     * One line per port whose new MAC a neighbour on its link already has (its router's, typically): two devices
     * with one MAC on a link take each other's frames, so the port would be cut off. The neighbours come from the
     * kernel's cache, so a neighbour it does not know is not seen; the commit checks remain the net for that.
     */
    List<String> macConflicts(Map<String, List<Neighbour>> neighbours) {
        List<String> conflicts = new ArrayList<>();
        for (KernelChange.SetLink l : links) {
            for (Neighbour n : neighbours.getOrDefault(l.device(), List.of())) {
                if (l.mac().isPresent() && n.mac().equals(l.mac())) {
                    conflicts.add("/ports/" + l.device() + "/mac: " + l.mac().get() + " is the MAC address of "
                            + n.address() + ", a neighbour on " + l.device() + " (its router?); two devices with "
                            + "one MAC on a link cut each other off");
                }
            }
        }
        return conflicts;
    }

    List<Ipv4Cidr> addressesOf(String port) {
        return addresses.stream().filter(a -> a.device().equals(port)).map(InterfaceAddress::address).toList();
    }
}
