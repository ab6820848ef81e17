package io.isthmus.firewall;

import static io.isthmus.firewall.Docs.conduit;
import static io.isthmus.firewall.Docs.firewall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.isthmus.api.config.FirewallConfig;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.UplinkConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An uplink that may not carry data ({@code uplink.data}) gets no new flow from the inside ports. */
class NoDataOutTest {
    static NetworkDocument lab(Optional<List<String>> data, FirewallConfig firewall) {
        NetworkDocument d = Docs.lab(firewall);
        UplinkConfig u = d.uplink();
        return new NetworkDocument(d.ports(), d.routes(), new UplinkConfig(u.probe(), u.equalCost(), u.minDwellMs(),
                u.costly(), Map.of(), Map.of(), Optional.empty(), data), d.firewall(), d.multicast(), d.dns(),
                d.management(), d.extensions());
    }

    @Test
    void insideFlowsOutOfAManagementOnlyUplinkAreDroppedBeforeAnyConduit() throws Exception {
        FirewallConfig open = firewall(List.of(conduit("dmz", "uplink", "any", List.of(), List.of())), List.of());
        Ruleset r = FirewallPlan.of(lab(Optional.of(List.of("eth0")), open));
        String drop = FirewallPlanTest.expanded(r, "no data out of wwan0");
        assertTrue(drop.contains("\"eth1\"") && drop.contains("\"wwan0\"") && drop.contains("\"drop\""), drop);
        assertFalse(drop.contains("eth0") || drop.contains("eth2"), "the data uplink and the offline port: " + drop);
        List<String> forward = FirewallPlanTest.objects(r).stream().map(o -> o.path("rule"))
                .filter(o -> o.path("chain").asText().equals(FirewallPlan.FORWARD))
                .map(o -> o.path("comment").asText()).toList();
        assertTrue(forward.indexOf("no data out of wwan0") < forward.indexOf("conduit 0: dmz -> uplink any"),
                "a conduit from the DMZ to the uplinks must not reopen it: " + forward);
        assertEquals("established", forward.get(0), "answers of flows let in through it still pass");
    }

    @Test
    void withoutTheDataListNothingChanges() throws Exception {
        assertEquals(FirewallPlan.of(Docs.lab(FirewallConfig.empty())).digest(),
                FirewallPlan.of(lab(Optional.empty(), FirewallConfig.empty())).digest());
        assertTrue(FirewallPlanTest.objects(FirewallPlan.of(lab(Optional.of(List.of("eth0", "wwan0")),
                FirewallConfig.empty()))).stream().map(JsonNode::toString).noneMatch(s -> s.contains("no data out")));
    }
}
