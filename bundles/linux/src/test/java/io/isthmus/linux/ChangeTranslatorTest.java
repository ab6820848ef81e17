package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.linux.InterfaceAddress;
import io.isthmus.api.linux.KernelChange;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Route;
import io.isthmus.api.linux.Rule;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ChangeTranslatorTest {

    static Ipv4Cidr cidr(String s) {
        return Ipv4Cidr.parse(s).orElseThrow();
    }

    static Ipv4Address ip(String s) {
        return Ipv4Address.parse(s).orElseThrow();
    }

    @Test
    void addresses() throws KernelException {
        InterfaceAddress a = new InterfaceAddress("eth1", cidr("192.168.50.1/24"));
        assertEquals("address add 192.168.50.1/24 dev eth1", ChangeTranslator.line(new KernelChange.AddAddress(a)));
        assertEquals("address del 192.168.50.1/24 dev eth1", ChangeTranslator.line(new KernelChange.RemoveAddress(a)));
    }

    @Test
    void routesAreTaggedWithOurProtocol() throws KernelException {
        Route r = new Route(100, Optional.of(cidr("192.168.20.0/24")), Route.Type.UNICAST,
                Optional.of(ip("192.168.50.254")), Optional.of("eth1"), 100, Optional.of(ip("192.168.50.1")), 4);
        assertEquals("route replace 192.168.20.0/24 via 192.168.50.254 dev eth1 table 100 proto 73 metric 100"
                + " src 192.168.50.1", ChangeTranslator.line(new KernelChange.ReplaceRoute(r)));
        assertEquals("route del 192.168.20.0/24 via 192.168.50.254 dev eth1 table 100 proto 4 metric 100"
                + " src 192.168.50.1", ChangeTranslator.line(new KernelChange.RemoveRoute(r)),
                "a removal matches the route's own protocol");
    }

    @Test
    void unreachableDefaultWithU32Metric() throws KernelException {
        Route r = new Route(100, Optional.empty(), Route.Type.UNREACHABLE, Optional.empty(), Optional.empty(),
                (int) 4278198272L, Optional.empty(), 0);
        assertEquals("route replace unreachable default table 100 proto 73 metric 4278198272",
                ChangeTranslator.line(new KernelChange.ReplaceRoute(r)));
        assertEquals("route del unreachable default table 100 metric 4278198272",
                ChangeTranslator.line(new KernelChange.RemoveRoute(r)), "protocol 0 matches any");
    }

    @Test
    void localRoutesCannotBeWritten() {
        Route r = new Route(255, Optional.of(cidr("10.0.0.1/32")), Route.Type.LOCAL, Optional.empty(),
                Optional.of("eth0"), 0, Optional.empty(), 2);
        assertThrows(KernelException.class, () -> ChangeTranslator.line(new KernelChange.ReplaceRoute(r)));
    }

    @Test
    void rules() throws KernelException {
        Rule r = new Rule(1000, Optional.of(cidr("10.20.0.0/24")), Optional.of("eth2"), 100, 0);
        assertEquals("rule add pref 1000 from 10.20.0.0/24 iif eth2 table 100 protocol 73",
                ChangeTranslator.line(new KernelChange.AddRule(r)));
        assertEquals("rule del pref 1000 from 10.20.0.0/24 iif eth2 table 100",
                ChangeTranslator.line(new KernelChange.RemoveRule(r)));
        assertEquals("rule add pref 5 table 254 protocol 73", ChangeTranslator.line(new KernelChange.AddRule(
                new Rule(5, Optional.empty(), Optional.empty(), 254, 73))));
    }

    @Test
    void ruleThatSuppressesTheDefaultRoute() throws KernelException {
        Rule r = new Rule(3000, Optional.empty(), Optional.of("eth1"), 254, 73, Optional.of(0));
        assertEquals("rule add pref 3000 iif eth1 table 254 suppress_prefixlength 0 protocol 73",
                ChangeTranslator.line(new KernelChange.AddRule(r)));
        assertEquals("rule del pref 3000 iif eth1 table 254 suppress_prefixlength 0 protocol 73",
                ChangeTranslator.line(new KernelChange.RemoveRule(r)));
        assertThrows(KernelException.class, () -> ChangeTranslator.line(new KernelChange.AddRule(
                new Rule(3000, Optional.empty(), Optional.empty(), 254, 73, Optional.of(33)))));
    }

    @Test
    void links() throws KernelException {
        assertEquals("link set dev eth0 up mtu 1400 address 02:00:00:aa:bb:cc", ChangeTranslator.line(
                new KernelChange.SetLink("eth0", Optional.of(true), Optional.of(1400), Optional.of("02:00:00:aa:bb:cc"))));
        assertEquals("link set dev eth0 down", ChangeTranslator.line(
                new KernelChange.SetLink("eth0", Optional.of(false), Optional.empty(), Optional.empty())));
        assertThrows(KernelException.class, () -> ChangeTranslator.line(
                new KernelChange.SetLink("eth0", Optional.empty(), Optional.empty(), Optional.of("02:00:00:aa:bb"))));
        assertThrows(KernelException.class, () -> ChangeTranslator.line(
                new KernelChange.SetLink("eth0", Optional.empty(), Optional.of(20), Optional.empty())));
    }

    @Test
    void aSetLinkThatSetsNothingIsNoStep() throws KernelException {
        assertEquals(List.of(), ChangeTranslator.translate(List.of(
                new KernelChange.SetLink("eth0", Optional.empty(), Optional.empty(), Optional.empty()))));
    }

    @Test
    void stepsKeepTheirPlace() throws KernelException {
        List<ChangeStep> steps = ChangeTranslator.translate(List.of(
                new KernelChange.SetSysctl("net.ipv4.ip_forward", "1"),
                new KernelChange.AddAddress(new InterfaceAddress("eth1", cidr("10.0.0.1/24")))));
        assertTrue(steps.get(0) instanceof ChangeStep.SysctlWrite);
        assertEquals(1, steps.get(1).index());
    }

    @Test
    void nullFieldsAreRejected() {
        assertThrows(KernelException.class, () -> ChangeTranslator.translate(List.of(new KernelChange.ReplaceRoute(
                new Route(100, null, Route.Type.UNICAST, Optional.empty(), Optional.empty(), 0, Optional.empty(), 0)))));
    }
}
