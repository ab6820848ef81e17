package io.isthmus.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.config.FirewallConfig;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.firewall.HostOpenings;
import io.isthmus.api.firewall.HostOpenings.Opening;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The services' host-input openings: in the plan as one input rule each, never on an uplink. */
class HostOpeningsTest {
    static final NetworkDocument DOC = Docs.lab(FirewallConfig.empty());

    @Test
    void openingsBecomeInputRulesOnTheirPortOnly() throws Exception {
        HostOpeningProviders providers = new HostOpeningProviders();
        providers.add(doc -> List.of(new Opening("eth2", "udp", 67, "dhcp server"), new Opening("eth1", "tcp", 53,
                "dns"), new Opening("eth0", "udp", 53, "dns"), new Opening("wwan0", "udp", 67, "dhcp server"),
                new Opening("eth9", "udp", 53, "dns"), new Opening("eth1", "icmp", 53, "dns")));
        List<Opening> kept = providers.openings(DOC);
        assertEquals(List.of(new Opening("eth1", "tcp", 53, "dns"), new Opening("eth2", "udp", 67, "dhcp server")),
                kept, "uplinks, unknown ports and other protocols are never opened");
        Ruleset r = FirewallPlan.of(DOC, kept);
        String dhcp = FirewallPlanTest.expanded(r, "dhcp server on eth2");
        assertTrue(dhcp.contains("\"input\"") && dhcp.contains("eth2") && dhcp.contains("67"), dhcp);
        assertTrue(FirewallPlanTest.rule(r, "dns on eth1").isPresent());
    }

    @Test
    void aProviderComingOrGoingChangesThePlan() {
        HostOpeningProviders providers = new HostOpeningProviders();
        int before = providers.generation();
        HostOpenings p = doc -> List.of(new Opening("eth1", "udp", 53, "dns"));
        providers.add(p);
        assertNotEquals(before, providers.generation());
        assertNotEquals(FirewallPlan.of(DOC).digest(), FirewallPlan.of(DOC, providers.openings(DOC)).digest());
        providers.remove(p);
        assertEquals(FirewallPlan.of(DOC).digest(), FirewallPlan.of(DOC, providers.openings(DOC)).digest());
    }
}
