package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.linux.InterfaceAddress;
import io.isthmus.api.linux.KernelChange;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Route;
import io.isthmus.api.linux.Rule;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad names, keys and values are refused before any process starts. */
@Timeout(10)
class ArgumentChecksTest {
    /** A namespace that does not exist: should anything run, it would fail differently. */
    private final ProcessRunner runner = new ProcessRunner(Namespace.of("isl-never-created"), Duration.ofSeconds(5));
    private final IpKernel kernel = new IpKernel(runner);

    @ParameterizedTest
    @ValueSource(strings = {"", "eth0 up", "eth0;reboot", "a/b", "eth:0", "..", "sixteen-chars-xx", "eth0\nlink",
        "#x", "eth0\"", "eth0@vb"})
    void badInterfaceNames(String name) {
        assertRefused(new KernelChange.AddAddress(new InterfaceAddress(name, ChangeTranslatorTest.cidr("10.0.0.1/24"))));
        assertRefused(new KernelChange.SetLink(name, Optional.of(true), Optional.empty(), Optional.empty()));
        assertRefused(new KernelChange.AddRule(new Rule(10, Optional.empty(), Optional.of(name), 100, 0)));
        assertRefused(new KernelChange.ReplaceRoute(new Route(100, Optional.empty(), Route.Type.UNICAST,
                Optional.empty(), Optional.of(name), 0, Optional.empty(), 0)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel.core_pattern", "net", "net.", "net..ipv4", "net/../../etc/passwd",
        "net.ipv4.conf.Eth0.forwarding", "net.ipv4.ip_forward ", "fs.file-max", "net//ipv4", "net/./ipv4",
        "/net/ipv4/ip_forward", "net.ipv4.ip_forward\n"})
    void badSysctlKeys(String key) {
        assertRefused(new KernelChange.SetSysctl(key, "1"));
        assertThrows(KernelException.class, () -> kernel.sysctl(key));
        assertEquals(0, runner.started());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1;reboot", "a\nb", "$(id)", "1/2", "x=y"})
    void badSysctlValues(String value) {
        assertRefused(new KernelChange.SetSysctl("net.ipv4.ip_forward", value));
    }

    @Test
    void goodSysctlKeys() throws KernelException {
        assertEquals("net/ipv4/ip_forward", ArgumentChecks.sysctlPath("net.ipv4.ip_forward"));
        assertEquals("net/ipv4/conf/eth0.5/rp_filter", ArgumentChecks.sysctlPath("net/ipv4/conf/eth0.5/rp_filter"));
        assertEquals("net/ipv6/conf/all/accept_ra_defrtr",
                ArgumentChecks.sysctlPath("net.ipv6.conf.all.accept_ra_defrtr"));
        assertEquals("32768 60999", ArgumentChecks.sysctlValue("32768 60999"));
    }

    /** One bad change anywhere in a list: nothing of the list runs. */
    @Test
    void aBadChangeLateInTheListStopsAllOfIt() {
        KernelException e = assertThrows(KernelException.class, () -> kernel.apply(List.of(
                new KernelChange.SetSysctl("net.ipv4.ip_forward", "1"),
                new KernelChange.AddAddress(new InterfaceAddress("eth1", ChangeTranslatorTest.cidr("10.0.0.1/24"))),
                new KernelChange.SetLink("bad name", Optional.of(true), Optional.empty(), Optional.empty()))));
        assertTrue(e.getMessage().contains("invalid interface name"), e.getMessage());
        assertEquals(0, runner.started());
        assertEquals(0, kernel.writes());
    }

    @Test
    void namespaceNamesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> Namespace.of("a b"));
        assertThrows(IllegalArgumentException.class, () -> Namespace.of(".."));
        assertEquals(Namespace.NONE, Namespace.of(" "));
    }

    private void assertRefused(KernelChange change) {
        assertThrows(KernelException.class, () -> kernel.apply(List.of(change)), change::toString);
        assertEquals(0, runner.started(), "nothing ran for " + change);
        assertEquals(0, kernel.writes());
    }
}
