package io.isthmus.linux;

import static io.isthmus.linux.ChangeTranslatorTest.cidr;
import static io.isthmus.linux.ChangeTranslatorTest.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.linux.InterfaceAddress;
import io.isthmus.api.linux.KernelChange;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Link;
import io.isthmus.api.linux.Route;
import io.isthmus.api.linux.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** IpKernel against a real kernel, in a namespace of its own with a veth pair va/vb. Root only. */
@Timeout(60)
class IpKernelSystemTest {
    private static final int UNREACHABLE_METRIC = (int) 4278198272L;

    private TestNamespace ns;
    private IpKernel kernel;

    @BeforeEach
    void namespace() {
        ns = TestNamespace.create();
        ns.ip("link", "add", "name", "va", "type", "veth", "peer", "name", "vb");
        kernel = new IpKernel(ns.namespace());
    }

    @AfterEach
    void deleteNamespace() {
        if (ns != null) {
            ns.close();
        }
    }

    /** What a port with a per-port table wants: addresses, routes (one unreachable default), rules. */
    private static List<InterfaceAddress> desiredAddresses() {
        return List.of(new InterfaceAddress("va", cidr("192.168.50.1/24")),
                new InterfaceAddress("vb", cidr("10.20.0.1/24")));
    }

    private static List<Route> desiredRoutes() {
        return List.of(
                new Route(254, Optional.of(cidr("192.168.20.0/24")), Route.Type.UNICAST, Optional.of(ip("192.168.50.254")),
                        Optional.of("va"), 100, Optional.empty(), Route.ISTHMUS_PROTOCOL),
                new Route(100, Optional.empty(), Route.Type.UNICAST, Optional.of(ip("10.20.0.254")), Optional.of("vb"),
                        10, Optional.of(ip("10.20.0.1")), Route.ISTHMUS_PROTOCOL),
                new Route(100, Optional.empty(), Route.Type.UNREACHABLE, Optional.empty(), Optional.empty(),
                        UNREACHABLE_METRIC, Optional.empty(), Route.ISTHMUS_PROTOCOL),
                new Route(200, Optional.of(cidr("10.99.0.0/16")), Route.Type.BLACKHOLE, Optional.empty(),
                        Optional.empty(), 0, Optional.empty(), Route.ISTHMUS_PROTOCOL));
    }

    private static List<Rule> desiredRules() {
        return List.of(new Rule(1000, Optional.of(cidr("10.20.0.0/24")), Optional.empty(), 100, Route.ISTHMUS_PROTOCOL),
                new Rule(1001, Optional.empty(), Optional.of("vb"), 200, Route.ISTHMUS_PROTOCOL));
    }

    /** The reconcilers' job in miniature: what is desired and not observed. */
    private List<KernelChange> diff() throws KernelException {
        List<KernelChange> changes = new ArrayList<>();
        List<InterfaceAddress> addresses = kernel.addresses();
        desiredAddresses().stream().filter(a -> !addresses.contains(a))
                .forEach(a -> changes.add(new KernelChange.AddAddress(a)));
        List<Route> routes = kernel.routes();
        desiredRoutes().stream().filter(r -> !routes.contains(r)).forEach(r -> changes.add(new KernelChange.ReplaceRoute(r)));
        List<Rule> rules = kernel.rules();
        desiredRules().stream().filter(r -> !rules.contains(r)).forEach(r -> changes.add(new KernelChange.AddRule(r)));
        return changes;
    }

    private Link link(String name) throws KernelException {
        return kernel.links().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void applyThenReadBackThenNothingLeftToDo() throws KernelException {
        kernel.apply(List.of(
                new KernelChange.SetLink("va", Optional.of(true), Optional.of(1400), Optional.of("02:00:00:00:00:0a")),
                new KernelChange.SetLink("vb", Optional.of(true), Optional.empty(), Optional.empty())));
        assertEquals(2, kernel.writes());
        Link va = link("va");
        assertTrue(va.adminUp());
        assertEquals(1400, va.mtu());
        assertEquals("02:00:00:00:00:0a", va.mac());

        List<KernelChange> first = diff();
        assertEquals(8, first.size(), first::toString);
        kernel.apply(first);
        assertEquals(10, kernel.writes());

        assertTrue(kernel.addresses().containsAll(desiredAddresses()));
        assertTrue(kernel.routes().containsAll(desiredRoutes()), () -> "routes read back: " + routesOrThrow());
        assertTrue(kernel.rules().containsAll(desiredRules()), () -> "rules read back: " + rulesOrThrow());
        assertTrue(ns.ip("-4", "route", "show", "table", "100").contains("unreachable default proto 73 metric 4278198272"));

        List<KernelChange> second = diff();
        assertEquals(List.of(), second, "the same desired state again: nothing to change");
        kernel.apply(second);
        assertEquals(10, kernel.writes(), "a no-op reconcile writes nothing");
    }

    @Test
    void neighboursOfOneLinkWithTheirMac() throws KernelException {
        ns.ip("link", "set", "va", "up");
        ns.ip("link", "set", "vb", "up");
        ns.ip("addr", "add", "192.168.50.1/24", "dev", "va");
        ns.ip("neigh", "add", "192.168.50.7", "lladdr", "02:AA:00:00:00:07", "dev", "va", "nud", "permanent");
        ns.ip("neigh", "add", "192.168.50.8", "dev", "va", "nud", "incomplete");
        List<io.isthmus.api.linux.Neighbour> va = kernel.neighbours("va");
        assertEquals(List.of(new io.isthmus.api.linux.Neighbour("va", ip("192.168.50.7"),
                Optional.of("02:aa:00:00:00:07"), List.of("PERMANENT"))),
                va.stream().filter(n -> n.address().equals(ip("192.168.50.7"))).toList());
        assertEquals(Optional.empty(), va.stream().filter(n -> n.address().equals(ip("192.168.50.8"))).findFirst()
                .orElseThrow().mac(), "an unresolved neighbour has no MAC: " + va);
        assertEquals(List.of(), kernel.neighbours("vb"));
        assertThrows(KernelException.class, () -> kernel.neighbours("-bad"));
    }

    @Test
    void removalsTakeEffect() throws KernelException {
        kernel.apply(List.of(new KernelChange.SetLink("va", Optional.of(true), Optional.empty(), Optional.empty()),
                new KernelChange.SetLink("vb", Optional.of(true), Optional.empty(), Optional.empty())));
        kernel.apply(diff());
        List<KernelChange> removals = new ArrayList<>();
        desiredRules().forEach(r -> removals.add(new KernelChange.RemoveRule(r)));
        desiredRoutes().forEach(r -> removals.add(new KernelChange.RemoveRoute(r)));
        removals.add(new KernelChange.RemoveAddress(desiredAddresses().get(0)));
        kernel.apply(removals);

        assertTrue(kernel.routes().stream().noneMatch(Route::ownedByIsthmus), this::routesOrThrow);
        assertTrue(kernel.rules().stream().noneMatch(Rule::ownedByIsthmus), this::rulesOrThrow);
        assertFalse(kernel.addresses().contains(desiredAddresses().get(0)));
        assertTrue(kernel.addresses().contains(desiredAddresses().get(1)));
    }

    @Test
    void aFailingChangeIsNamedAndTheOnesBeforeItCount() throws KernelException {
        InterfaceAddress a = new InterfaceAddress("va", cidr("10.1.1.1/24"));
        InterfaceAddress b = new InterfaceAddress("va", cidr("10.1.2.1/24"));
        KernelException e = assertThrows(KernelException.class, () -> kernel.apply(List.of(
                new KernelChange.AddAddress(a), new KernelChange.AddAddress(a), new KernelChange.AddAddress(b))));
        assertTrue(e.getMessage().startsWith("change 2 of 3 failed"), e.getMessage());
        assertTrue(e.getMessage().contains("address add 10.1.1.1/24 dev va"), e.getMessage());
        assertTrue(e.getMessage().contains("Address already assigned"), e.getMessage());
        assertEquals(1, kernel.writes());
        assertTrue(kernel.addresses().contains(a));
        assertFalse(kernel.addresses().contains(b), "ip -batch stops at the failing line");

        KernelException missing = assertThrows(KernelException.class, () -> kernel.apply(List.of(
                new KernelChange.SetLink("nosuchdev", Optional.of(true), Optional.empty(), Optional.empty()))));
        assertTrue(missing.getMessage().startsWith("change 1 of 1 failed"), missing.getMessage());
        assertEquals(1, kernel.writes());
    }

    @Test
    void sysctlInTheNamespace() throws KernelException {
        assertEquals(Optional.of("0"), kernel.sysctl("net.ipv4.ip_forward"));
        kernel.apply(List.of(new KernelChange.SetSysctl("net.ipv4.ip_forward", "1"),
                new KernelChange.SetSysctl("net.ipv4.conf.va.rp_filter", "2"),
                new KernelChange.SetSysctl("net/ipv4/ip_local_port_range", "32768 60999")));
        assertEquals(3, kernel.writes());
        assertEquals(Optional.of("1"), kernel.sysctl("net.ipv4.ip_forward"));
        assertEquals(Optional.of("2"), kernel.sysctl("net.ipv4.conf.va.rp_filter"));
        assertEquals("32768\t60999", kernel.sysctl("net.ipv4.ip_local_port_range").orElseThrow());
        assertEquals("1\n", ns.exec("cat", "/proc/sys/net/ipv4/ip_forward"), "really in the namespace");
        assertEquals(Optional.empty(), kernel.sysctl("net.ipv4.no_such_key"));
        KernelException e = assertThrows(KernelException.class,
                () -> kernel.apply(List.of(new KernelChange.SetSysctl("net.ipv4.no_such_key", "1"))));
        assertTrue(e.getMessage().startsWith("change 1 of 1 failed"), e.getMessage());
    }

    /** Without a namespace, sysctl reads /proc/sys of the JVM's own namespace directly (read only here). */
    @Test
    void sysctlOfTheOwnNamespace() throws KernelException {
        IpKernel own = new IpKernel(Namespace.NONE);
        assertTrue(own.sysctl("net.ipv4.ip_forward").orElseThrow().matches("[01]"));
        assertEquals(Optional.empty(), own.sysctl("net.ipv4.no_such_key"));
    }

    @Test
    void carrierFollowsThePeer() throws KernelException, InterruptedException {
        kernel.apply(List.of(new KernelChange.SetLink("va", Optional.of(true), Optional.empty(), Optional.empty())));
        assertTrue(link("va").adminUp());
        assertFalse(link("va").carrier(), "peer vb is down");
        kernel.apply(List.of(new KernelChange.SetLink("vb", Optional.of(true), Optional.empty(), Optional.empty())));
        // the kernel's link watch reports the carrier asynchronously (within a second; later on a loaded machine)
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (!link("va").carrier() && System.nanoTime() < deadline) {
            Thread.sleep(20); // polling the kernel's own state, bounded
        }
        assertTrue(link("va").carrier());
        assertEquals("UP", link("va").operState());
    }

    private String routesOrThrow() {
        try {
            return kernel.routes().toString();
        } catch (KernelException e) {
            return e.getMessage();
        }
    }

    private String rulesOrThrow() {
        try {
            return kernel.rules().toString();
        } catch (KernelException e) {
            return e.getMessage();
        }
    }
}
