package io.isthmus.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TableListingTest {
    static String listing(int handle, int packets, String policy) {
        return """
                {"nftables": [{"metainfo": {"version": "1.0.6"}},
                 {"table": {"family": "inet", "name": "isthmus", "handle": %d}},
                 {"chain": {"family": "inet", "table": "isthmus", "name": "input", "handle": 1, "type": "filter",
                            "hook": "input", "prio": 0, "policy": "%s"}},
                 {"rule": {"family": "inet", "table": "isthmus", "chain": "input", "handle": 4,
                           "comment": "conduit 0: dmz -> gateway tcp 22",
                           "expr": [{"counter": {"packets": %d, "bytes": 60}}, {"accept": null}]}}]}
                """.formatted(handle, policy, packets);
    }

    @Test
    void handlesAndCounterValuesDoNotCountAsDrift() {
        assertEquals(TableListing.shapeDigest(listing(2, 0, "drop")), TableListing.shapeDigest(listing(9, 77, "drop")));
    }

    @Test
    void aChangedPolicyIsDrift() {
        assertNotEquals(TableListing.shapeDigest(listing(2, 0, "drop")),
                TableListing.shapeDigest(listing(2, 0, "accept")));
    }

    @Test
    void countersAndPoliciesAreReadForDiagnostics() {
        TableListing t = TableListing.parse(listing(2, 5, "drop"));
        assertEquals(List.of(Map.of("chain", "input", "rule", "conduit 0: dmz -> gateway tcp 22", "packets", 5L,
                "bytes", 60L)), t.counters());
        assertEquals(Map.of("input", "drop"), t.policies());
    }

    /** A run of conduits in a set (ConduitSets): a row per conduit, its elements summed, in the rule's chain. */
    @Test
    void aCountedSetGivesARowPerConduitInTheChainOfItsRule() {
        TableListing t = TableListing.parse("""
                {"nftables": [{"metainfo": {"version": "1.0.6"}},
                 {"set": {"family": "inet", "name": "conduits0", "table": "isthmus", "type": ["ipv4_addr", "inet_service"],
                          "handle": 3, "elem": [
                   {"elem": {"val": {"concat": ["10.0.0.1", 22]}, "comment": "conduit 1: dmz -> uplink tcp 22,23",
                             "counter": {"packets": 2, "bytes": 120}}},
                   {"elem": {"val": {"concat": ["10.0.0.1", 23]}, "comment": "conduit 1: dmz -> uplink tcp 22,23",
                             "counter": {"packets": 3, "bytes": 180}}},
                   {"elem": {"val": {"concat": ["10.0.0.2", 22]}, "comment": "conduit 2: dmz -> uplink tcp 22",
                             "counter": {"packets": 0, "bytes": 0}}}], "stmt": [{"counter": null}]}},
                 {"set": {"family": "inet", "name": "ports0", "table": "isthmus", "type": "ifname", "elem": ["eth0", "wwan0"]}},
                 {"rule": {"family": "inet", "table": "isthmus", "chain": "forward", "handle": 4, "comment": "conduit 0",
                           "expr": [{"counter": {"packets": 7, "bytes": 70}}, {"accept": null}]}},
                 {"rule": {"family": "inet", "table": "isthmus", "chain": "forward", "handle": 5, "comment": "conduits 1-2",
                           "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "@ports0"}},
                                    {"match": {"op": "==", "left": {"concat": [{"payload": {"protocol": "ip",
                                     "field": "saddr"}}, {"payload": {"protocol": "tcp", "field": "dport"}}]},
                                     "right": "@conduits0"}}, {"accept": null}]}}]}
                """);
        assertEquals(List.of(
                Map.of("chain", "forward", "rule", "conduit 0", "packets", 7L, "bytes", 70L),
                Map.of("chain", "forward", "rule", "conduit 1: dmz -> uplink tcp 22,23", "packets", 5L, "bytes", 300L),
                Map.of("chain", "forward", "rule", "conduit 2: dmz -> uplink tcp 22", "packets", 0L, "bytes", 0L)),
                t.counters());
    }
}
