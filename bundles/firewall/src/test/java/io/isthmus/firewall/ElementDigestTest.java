package io.isthmus.firewall;

import static io.isthmus.firewall.Docs.conduit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isthmus.api.config.FirewallConfig.Conduit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The drift check compares a listing's set elements with the plan's, not with a listing taken after the write:
 * equal whatever order and form nft lists them in, different when one is missing, added or changed.
 * (FirewallSystemIT checks it against real nft listings: no drift after a write, drift after a change.)
 */
class ElementDigestTest {
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** A run of 20 conduits with networks and port ranges (an interval set) and two ports each. */
    static Ruleset plan() {
        List<Conduit> conduits = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            conduits.add(conduit("dmz", "uplink", "tcp", List.of(String.valueOf(1000 + i), (2000 + 10 * i) + "-"
                    + (2005 + 10 * i)), List.of("10.1." + i + ".0/24")));
        }
        conduits.add(conduit("lan", "uplink", "tcp", List.of("22"), List.of())); // lan: no port, no rule
        return ConduitSetsTest.plan(conduits);
    }

    /** The plan's objects as nft would list them: {"nftables": [metainfo, objects…]}, elements changed by {@code f}. */
    static String listing(Ruleset r, UnaryOperator<List<JsonNode>> f) throws Exception {
        ArrayNode out = F.arrayNode();
        out.addObject().putObject("metainfo").put("version", "1.0.6");
        for (JsonNode o : FirewallPlanTest.objects(r)) {
            if (o.has("set")) {
                ObjectNode set = ((ObjectNode) o.path("set")).deepCopy();
                set.put("handle", 7);
                List<JsonNode> elements = new ArrayList<>();
                set.path("elem").forEach(elements::add);
                set.putArray("elem").addAll(f.apply(elements));
                out.addObject().set("set", set);
            } else {
                out.add(o);
            }
        }
        return F.objectNode().set("nftables", out).toString();
    }

    /** nft's forms: its own order, counters with values, a one-port range as the port, a /32 as the address. */
    static List<JsonNode> asNftLists(List<JsonNode> elements) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : elements) {
            JsonNode copy = e.deepCopy();
            if (copy.has("elem")) {
                ((ObjectNode) copy.path("elem")).putObject("counter").put("packets", 3).put("bytes", 180);
            }
            out.add(0, copy);
        }
        return out;
    }

    @Test
    void aListingOfThePlannedElementsMatchesInNftsOrderAndForms() throws Exception {
        Ruleset r = plan();
        assertEquals(40, r.elements());
        assertEquals(r.elementDigest(), TableListing.elementDigest(listing(r, ElementDigestTest::asNftLists)));
    }

    @Test
    void valuesCompareAsTheNumbersTheyStandFor() {
        assertEquals(canonical("{\"concat\": [\"172.16.0.1\", 100]}"),
                canonical("{\"concat\": [{\"prefix\": {\"addr\": \"172.16.0.1\", \"len\": 32}}, {\"range\": [100, 100]}]}"));
        assertEquals(canonical("{\"range\": [\"10.0.0.0\", \"10.255.255.255\"]}"),
                canonical("{\"prefix\": {\"addr\": \"10.0.0.0\", \"len\": 8}}"));
        assertNotEquals(canonical("\"10.0.0.1\""), canonical("\"10.0.0.2\""));
        assertNotEquals(canonical("\"eth0\""), canonical("\"eth1\""));
        assertNotEquals(canonical("{\"concat\": [\"10.0.0.1\", 22]}"), canonical("{\"concat\": [\"10.0.0.1\", 23]}"));
    }

    static long canonical(String json) {
        try {
            return ElementDigest.canonical(ElementDigest.EMPTY, FirewallPlanTest.JSON.readTree(json));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aMissingAddedOrChangedElementIsDrift() throws Exception {
        Ruleset r = plan();
        String missing = listing(r, es -> es.size() > 1 ? es.subList(1, es.size()) : es);
        assertNotEquals(r.elementDigest(), TableListing.elementDigest(missing));
        String added = listing(r, es -> {
            List<JsonNode> out = new ArrayList<>(es);
            out.add(es.get(0).has("elem") ? es.get(0) : F.textNode("eth9"));
            return out;
        });
        assertNotEquals(r.elementDigest(), TableListing.elementDigest(added));
        String changed = listing(r, es -> {
            List<JsonNode> out = new ArrayList<>(es);
            if (es.get(0).has("elem")) {
                ObjectNode e = es.get(0).deepCopy();
                ((ObjectNode) e.path("elem")).put("comment", "conduit 99: changed");
                out.set(0, e);
            }
            return out;
        });
        assertNotEquals(r.elementDigest(), TableListing.elementDigest(changed));
    }
}
