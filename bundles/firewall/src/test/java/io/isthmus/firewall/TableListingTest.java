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
}
