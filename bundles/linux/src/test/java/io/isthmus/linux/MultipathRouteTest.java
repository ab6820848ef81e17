package io.isthmus.linux;

import static io.isthmus.linux.ChangeTranslatorTest.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.linux.KernelChange;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Nexthop;
import io.isthmus.api.linux.Route;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Multipath default routes: written as ip writes them, read back from the captured ip -j output unchanged. */
@Timeout(10)
class MultipathRouteTest {
    private static final Route SHARED = Route.multipath(Route.MAIN_TABLE, Optional.empty(), 0, List.of(
            new Nexthop(ip("100.64.1.1"), "va", 1), new Nexthop(ip("100.65.1.1"), "vc", 2)));

    @Test
    void writtenInOneReplaceWithEveryNexthopLast() throws KernelException {
        assertEquals("route replace default table 254 proto 73 nexthop via 100.64.1.1 dev va weight 1"
                + " nexthop via 100.65.1.1 dev vc weight 2", ChangeTranslator.line(new KernelChange.ReplaceRoute(SHARED)));
    }

    @Test
    void badWeightsAndDevicesAreRefusedBeforeAnythingRuns() {
        Route zero = Route.multipath(Route.MAIN_TABLE, Optional.empty(), 0, List.of(
                new Nexthop(ip("100.64.1.1"), "va", 0)));
        assertThrows(KernelException.class, () -> ChangeTranslator.line(new KernelChange.ReplaceRoute(zero)));
        Route badDevice = Route.multipath(Route.MAIN_TABLE, Optional.empty(), 0, List.of(
                new Nexthop(ip("100.64.1.1"), "va; reboot", 1)));
        assertThrows(KernelException.class, () -> ChangeTranslator.line(new KernelChange.ReplaceRoute(badDevice)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"route-multipath-named.json", "route-multipath-numeric.json"})
    void readBackAsTheRouteThatWasWritten(String file) throws KernelException {
        List<Route> routes = new RouteJson(new IpJson(), IprouteNames.builtin()).routes(Captured.read(file));
        Route main = routes.stream().filter(r -> r.table() == Route.MAIN_TABLE && r.isDefault()).findFirst()
                .orElseThrow();
        assertEquals(SHARED, main, "so that the routing diff of a multipath route is a no-op");
        Route single = routes.stream().filter(r -> r.table() == 1003).findFirst().orElseThrow();
        assertTrue(single.nexthops().isEmpty());
        assertEquals(Optional.of("vc"), single.device());
    }
}
