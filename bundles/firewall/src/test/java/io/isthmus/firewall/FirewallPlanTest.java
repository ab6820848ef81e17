package io.isthmus.firewall;

import static io.isthmus.firewall.Docs.conduit;
import static io.isthmus.firewall.Docs.firewall;
import static io.isthmus.firewall.Docs.forward;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isthmus.api.config.FirewallConfig;
import io.isthmus.api.config.MulticastConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FirewallPlanTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static List<JsonNode> objects(Ruleset r) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(r.objects().orElseThrow()).forEach(out::add);
        return out;
    }

    static Optional<JsonNode> rule(Ruleset r, String commentPrefix) throws Exception {
        return objects(r).stream().map(o -> o.path("rule"))
                .filter(o -> o.path("comment").asText().startsWith(commentPrefix)).findFirst();
    }

    /** A rule's JSON with its named interface sets written out, for assertions on port names. */
    static String expanded(Ruleset r, String commentPrefix) throws Exception {
        String text = rule(r, commentPrefix).orElseThrow().toString();
        for (JsonNode o : objects(r)) {
            if (o.has("set")) {
                text = text.replace("\"@" + o.path("set").path("name").asText() + "\"", o.path("set").path("elem")
                        .toString());
            }
        }
        return text;
    }

    static String policy(Ruleset r, String chain) throws Exception {
        return objects(r).stream().map(o -> o.path("chain")).filter(c -> c.path("name").asText().equals(chain))
                .findFirst().orElseThrow().path("policy").asText();
    }

    @Test
    void bootTableDropsInputAndForwardButKeepsLoopbackAndEstablished() throws Exception {
        Ruleset boot = FirewallPlan.boot();
        assertEquals("drop", policy(boot, "input"));
        assertEquals("drop", policy(boot, "forward"));
        assertEquals("accept", policy(boot, "output"));
        assertTrue(rule(boot, "loopback").isPresent());
        assertTrue(rule(boot, "established").isPresent());
        assertFalse(rule(boot, "icmp echo").isPresent());
        assertTrue(Ruleset.digestIn(boot.objects().orElseThrow()).isPresent(), "the digest rides in the last rule's comment");
    }

    @Test
    void conduitsBecomeOneCountedRuleEachInTheRightChain() throws Exception {
        Ruleset r = FirewallPlan.of(Docs.lab(firewall(List.of(
                conduit("dmz", "uplink", "tcp", List.of("80", "8000-8100"), List.of()),
                conduit("dmz", "gateway", "tcp", List.of("22"), List.of("192.168.50.0/24"))), List.of())));
        JsonNode out = rule(r, "conduit 0: dmz -> uplink tcp 80,8000-8100").orElseThrow();
        assertEquals("forward", out.path("chain").asText());
        String text = expanded(r, "conduit 0");
        assertTrue(text.contains("\"oifname\"") && text.contains("eth0") && text.contains("wwan0"), text);
        assertTrue(text.contains("{\"range\":[8000,8100]}") && text.contains("\"counter\""), text);
        JsonNode ssh = rule(r, "conduit 1: dmz -> gateway").orElseThrow();
        assertEquals("input", ssh.path("chain").asText());
        assertTrue(ssh.toString().contains("\"len\":24"), ssh.toString());
    }

    @Test
    void icmpEchoFromInsidePortsByDefaultNeverFromUplinks() throws Exception {
        String echo = expanded(FirewallPlan.of(Docs.lab(FirewallConfig.empty())), "icmp echo");
        assertTrue(echo.contains("eth1") && echo.contains("eth2"), echo);
        assertFalse(echo.contains("eth0") || echo.contains("wwan0"), echo);
        String listed = expanded(FirewallPlan.of(Docs.lab(new FirewallConfig(Map.of(), List.of(), List.of(),
                List.of("dmz")))), "icmp echo");
        assertTrue(listed.contains("eth1") && !listed.contains("eth2"), listed);
    }

    @Test
    void dmzIsMasqueradedOutOfTheUplinksTheOfflineNetworkIsNot() throws Exception {
        String masq = expanded(FirewallPlan.of(Docs.lab(FirewallConfig.empty())), "masquerade");
        assertTrue(masq.contains("eth1") && masq.contains("eth0") && masq.contains("wwan0"), masq);
        assertFalse(masq.contains("eth2"), masq);
    }

    @Test
    void portForwardIsDnatPlusTheForwardRuleForExactlyThatFlow() throws Exception {
        Ruleset r = FirewallPlan.of(Docs.lab(firewall(List.of(), List.of(forward(8443, "192.168.50.10", 443,
                List.of("203.0.113.0/24"))))));
        List<JsonNode> rules = objects(r).stream().map(o -> o.path("rule"))
                .filter(o -> o.path("comment").asText().startsWith("port forward 0")).toList();
        assertEquals(List.of("dnat", "forward"), rules.stream().map(o -> o.path("chain").asText()).toList());
        assertTrue(rules.get(0).toString().contains("{\"dnat\":{\"family\":\"ip\",\"addr\":\"192.168.50.10\",\"port\":443}}"));
        assertTrue(rules.get(0).toString().contains("203.0.113.0"));
        assertTrue(rules.get(1).toString().contains("\"dnat\"") && rules.get(1).toString().contains("443"));
    }

    @Test
    void multicastFlowsGetAForwardRuleAndATtlFixUpMdnsAnInputRule() throws Exception {
        Ruleset r = FirewallPlan.of(Docs.lab(FirewallConfig.empty(), new MulticastConfig(List.of(
                new MulticastConfig.PassThrough("224.0.2.14", 4840, "eth2", List.of("eth1")),
                new MulticastConfig.PassThrough("224.0.0.251", 5353, "eth2", List.of("dmz"))))));
        assertEquals("forward", rule(r, "multicast 0: 224.0.2.14:4840").orElseThrow().path("chain").asText());
        assertTrue(rule(r, "ttl fix-up for multicast 0").orElseThrow().toString()
                .contains("\"mangle\""));
        assertEquals("input", rule(r, "multicast 1: 224.0.0.251:5353").orElseThrow().path("chain").asText());
    }

    @Test
    void theSameDocumentGivesTheSameDigestAnotherDocumentAnother() {
        FirewallConfig a = firewall(List.of(conduit("dmz", "uplink", "any", List.of(), List.of())), List.of());
        FirewallConfig b = firewall(List.of(conduit("dmz", "uplink", "tcp", List.of(), List.of())), List.of());
        assertEquals(FirewallPlan.of(Docs.lab(a)).digest(), FirewallPlan.of(Docs.lab(a)).digest());
        assertNotEquals(FirewallPlan.of(Docs.lab(a)).digest(), FirewallPlan.of(Docs.lab(b)).digest());
    }

    @Test
    void aGroupOfPortsIsDeclaredOnceAsANamedSet() throws Exception {
        Ruleset r = FirewallPlan.of(Docs.lab(firewall(List.of(
                conduit("dmz", "uplink", "tcp", List.of("80"), List.of()),
                conduit("dmz", "uplink", "udp", List.of("53"), List.of())), List.of())));
        List<JsonNode> sets = objects(r).stream().filter(o -> o.has("set")).toList();
        assertEquals(2, sets.size(), "inside ports (icmp echo) and uplinks (conduits, masquerade): " + sets);
        // streamed into nft as they are made: each set comes right before the first rule that uses it
        List<JsonNode> all = objects(r);
        for (int i = 0; i < all.size(); i++) {
            String rule = all.get(i).path("rule").toString();
            for (JsonNode set : sets) {
                String name = set.path("set").path("name").asText();
                if (rule.contains("\"@" + name + "\"")) {
                    assertTrue(all.indexOf(set) < i, "sets come before the rules that use them: " + name);
                }
            }
        }
    }

    @Test
    void aConduitBetweenZonesWithoutPortsWritesNoRule() throws Exception {
        Ruleset r = FirewallPlan.of(Docs.lab(firewall(List.of(conduit("lan", "uplink", "any", List.of(), List.of())),
                List.of())));
        assertFalse(rule(r, "conduit 0").isPresent());
    }

    @Test
    void aRateLimitedConduitMetersNewConnections() throws Exception {
        FirewallConfig.Conduit ssh = new FirewallConfig.Conduit("dmz", "gateway", "tcp", List.of("22"), List.of(),
                java.util.Optional.of(new FirewallConfig.RateLimit(6, "minute", 3)));
        Ruleset r = FirewallPlan.of(Docs.lab(firewall(List.of(ssh), List.of())));
        String text = expanded(r, "conduit 0");
        assertTrue(text.contains("{\"limit\":{\"rate\":6,\"per\":\"minute\",\"burst\":3,\"burst_unit\":\"packets\"}}"),
                text);
        assertTrue(text.indexOf("limit") < text.indexOf("counter"), "only admitted connections are counted: " + text);
    }
}
