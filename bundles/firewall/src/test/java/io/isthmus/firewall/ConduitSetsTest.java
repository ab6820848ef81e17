package io.isthmus.firewall;

import static io.isthmus.firewall.Docs.conduit;
import static io.isthmus.firewall.Docs.firewall;
import static io.isthmus.firewall.FirewallPlanTest.objects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.isthmus.api.config.FirewallConfig;
import io.isthmus.api.config.FirewallConfig.Conduit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Runs of conduits of one shape compiled into sets (plan only; FirewallSystemIT loads them into the kernel). */
class ConduitSetsTest {
    static List<Conduit> hosts(int n, int firstPort) {
        List<Conduit> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(conduit("dmz", "uplink", "tcp", List.of(String.valueOf(firstPort + i)),
                    List.of("192.168.50." + (10 + i) + "/32")));
        }
        return out;
    }

    static Ruleset plan(List<Conduit> conduits) {
        return FirewallPlan.of(Docs.lab(firewall(conduits, List.of())));
    }

    static List<JsonNode> sets(Ruleset r, String prefix) throws Exception {
        return objects(r).stream().map(o -> o.path("set")).filter(s -> s.path("name").asText().startsWith(prefix))
                .toList();
    }

    static List<String> comments(Ruleset r) throws Exception {
        return objects(r).stream().map(o -> o.path("rule").path("comment").asText(""))
                .filter(c -> c.startsWith("conduit")).toList();
    }

    @Test
    void aLongRunBecomesOneRuleAndOneCountedSetWithAnElementPerConduit() throws Exception {
        Ruleset r = plan(hosts(20, 1000));
        List<JsonNode> sets = sets(r, ConduitSets.PREFIX);
        assertEquals(1, sets.size());
        JsonNode set = sets.get(0);
        assertEquals("[\"ipv4_addr\",\"inet_service\"]", set.path("type").toString());
        assertFalse(set.has("flags"), "hosts and single ports: an exact (hash) set");
        assertEquals("[{\"counter\":null}]", set.path("stmt").toString(), "every element counts");
        assertEquals(20, set.path("elem").size());
        JsonNode third = set.path("elem").get(2).path("elem");
        assertEquals("{\"concat\":[\"192.168.50.12\",1002]}", third.path("val").toString());
        assertEquals("conduit 2: dmz -> uplink tcp 1002", third.path("comment").asText());
        assertEquals(List.of("conduits 0-19: dmz -> uplink tcp (set conduits0, counted per element)"), comments(r));
        JsonNode rule = FirewallPlanTest.rule(r, "conduits 0-19").orElseThrow();
        assertEquals("forward", rule.path("chain").asText());
        assertTrue(rule.toString().contains("\"right\":\"@conduits0\""), rule.toString());
        assertFalse(rule.toString().contains("counter"), "the elements count, not the rule: " + rule);
        assertEquals(20, r.elements());
    }

    @Test
    void aShortRunStaysOneRulePerConduitAsWritten() throws Exception {
        Ruleset r = plan(hosts(ConduitSets.MIN_RUN - 1, 1000));
        assertTrue(sets(r, ConduitSets.PREFIX).isEmpty());
        assertEquals(ConduitSets.MIN_RUN - 1, comments(r).size());
        assertEquals("conduit 0: dmz -> uplink tcp 1000", comments(r).get(0));
    }

    /**
     * nft refuses overlapping elements, and the first conduit in document order must still count a packet: one that
     * overlaps the run ends it and starts the next, whose rule comes after.
     */
    @Test
    void aConduitOverlappingTheRunEndsItAndStartsTheNext() throws Exception {
        List<Conduit> conduits = new ArrayList<>(hosts(20, 1000));
        conduits.add(conduit("dmz", "uplink", "tcp", List.of("1000-1005"), List.of("192.168.50.0/24")));
        conduits.addAll(hosts(20, 2000));
        Ruleset r = plan(conduits);
        assertEquals(List.of("conduits 0-19: dmz -> uplink tcp (set conduits0, counted per element)",
                "conduits 20-40: dmz -> uplink tcp (set conduits1, counted per element)"), comments(r));
        assertEquals("conduit 20: dmz -> uplink tcp 1000-1005", sets(r, ConduitSets.PREFIX).get(1).path("elem").get(0)
                .path("elem").path("comment").asText());
    }

    @Test
    void prefixesAndRangesMakeAnIntervalSet() throws Exception {
        List<Conduit> conduits = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            conduits.add(conduit("dmz", "uplink", "udp", List.of((1000 + i * 10) + "-" + (1005 + i * 10)),
                    List.of("10." + i + ".0.0/16")));
        }
        JsonNode set = sets(plan(conduits), ConduitSets.PREFIX).get(0);
        assertEquals("[\"interval\"]", set.path("flags").toString());
        assertEquals("{\"concat\":[{\"prefix\":{\"addr\":\"10.3.0.0\",\"len\":16}},{\"range\":[1030,1035]}]}",
                set.path("elem").get(3).path("elem").path("val").toString());
    }

    @Test
    void sourcesTimesPortsGiveAnElementEachUnderTheConduitsComment() throws Exception {
        List<Conduit> conduits = new ArrayList<>(hosts(19, 1000));
        conduits.add(conduit("dmz", "uplink", "tcp", List.of("3000", "3001"), List.of("10.9.0.1/32", "10.9.0.2/32")));
        JsonNode set = sets(plan(conduits), ConduitSets.PREFIX).get(0);
        assertEquals(23, set.path("elem").size());
        for (int i = 19; i < 23; i++) {
            assertEquals("conduit 19: dmz -> uplink tcp 3000,3001",
                    set.path("elem").get(i).path("elem").path("comment").asText());
        }
    }

    @Test
    void portsOnlySourcesOnlyAndRateLimitsKeepTheirMeaning() throws Exception {
        List<Conduit> conduits = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            conduits.add(conduit("dmz", "gateway", "tcp", List.of(String.valueOf(100 + i)), List.of()));
        }
        conduits.add(new Conduit("dmz", "gateway", "tcp", List.of("22"), List.of(), Optional.of(
                new FirewallConfig.RateLimit(6, "minute", 3))));
        for (int i = 0; i < 20; i++) {
            conduits.add(conduit("dmz", "offline", "icmp", List.of(), List.of("192.168.50." + i + "/32")));
        }
        Ruleset r = plan(conduits);
        List<JsonNode> sets = sets(r, ConduitSets.PREFIX);
        assertEquals("\"inet_service\"", sets.get(0).path("type").toString());
        assertEquals("\"ipv4_addr\"", sets.get(1).path("type").toString());
        JsonNode ports = FirewallPlanTest.rule(r, "conduits 0-19").orElseThrow();
        assertEquals("input", ports.path("chain").asText());
        assertTrue(ports.toString().contains("{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}}"), ports.toString());
        assertTrue(FirewallPlanTest.rule(r, "conduit 20: dmz -> gateway tcp 22").orElseThrow().toString()
                .contains("\"limit\""));
        JsonNode icmp = FirewallPlanTest.rule(r, "conduits 21-40").orElseThrow();
        assertTrue(icmp.toString().contains("\"right\":\"icmp\""), "still only ICMP: " + icmp);
        assertTrue(icmp.toString().contains("\"oifname\""), icmp.toString());
    }

    @Test
    void theSamePlanHasTheSameDigestAndADifferentElementAnother() {
        List<Conduit> a = hosts(20, 1000);
        List<Conduit> b = new ArrayList<>(a);
        b.set(7, conduit("dmz", "uplink", "tcp", List.of("9999"), List.of("192.168.50.17/32")));
        assertEquals(plan(a).digest(), plan(hosts(20, 1000)).digest());
        assertFalse(plan(a).digest().equals(plan(b).digest()));
    }

    /**
     * A set larger than a piece reaches nft as the set with its first elements, then element objects with the rest,
     * each right after the one before and before the rule that uses the set: every conduit's element is there once.
     */
    @Test
    void aLargeSetIsHandedOnInPiecesThatTogetherHoldEveryElement() throws Exception {
        int n = 3 * ConduitSets.CHUNK + 100;
        List<Conduit> conduits = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            conduits.add(conduit("dmz", "uplink", "tcp", List.of(String.valueOf(1 + i)),
                    List.of("10.100." + i / 256 + "." + i % 256 + "/32")));
        }
        Ruleset r = plan(conduits);
        List<JsonNode> objects = objects(r);
        int set = -1;
        int rule = -1;
        List<Integer> pieces = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            JsonNode o = objects.get(i);
            JsonNode elements = o.path("set").path("name").asText().equals("conduits0") ? o.path("set").path("elem")
                    : o.path("element").path("name").asText().equals("conduits0") ? o.path("element").path("elem")
                    : null;
            if (elements != null) {
                assertEquals("inet isthmus", o.findValue("family").asText() + " " + o.findValue("table").asText());
                if (o.has("set")) {
                    set = i;
                } else {
                    pieces.add(i);
                }
                assertTrue(elements.size() <= ConduitSets.CHUNK + ConduitSets.MAX_ELEMENTS_PER_CONDUIT - 1);
                elements.forEach(e -> comments.add(e.path("elem").path("comment").asText()));
            }
            if (o.path("rule").path("comment").asText().startsWith("conduits 0-")) {
                rule = i;
            }
        }
        assertEquals(List.of(set + 1, set + 2, set + 3), pieces, "the set, then 3 more pieces right after it");
        assertTrue(rule > set + 3, "the rule after the set's last piece");
        assertEquals(n, comments.size());
        assertEquals(n, comments.stream().distinct().count());
        assertEquals("conduit " + (n - 1) + ": dmz -> uplink tcp " + n, comments.get(n - 1));
        assertEquals(n, r.elements());
    }
}
