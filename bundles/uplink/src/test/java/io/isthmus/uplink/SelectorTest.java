package io.isthmus.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.isthmus.api.config.UplinkConfig.EqualCost;
import io.isthmus.api.uplink.UplinkSelection.Weighted;
import io.isthmus.uplink.Selector.Candidate;
import io.isthmus.uplink.Selector.Decision;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelectorTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration DWELL = Duration.ofSeconds(5);

    static Candidate wired(boolean usable) {
        return new Candidate("eth0", 0, 0, usable, false);
    }

    static Candidate cell(boolean usable, boolean capped) {
        return new Candidate("wwan0", 100, 1, usable, capped);
    }

    static Decision decide(List<Candidate> c, Decision current, long atMs) {
        return Selector.decide(c, EqualCost.MULTIPATH, current, DWELL, T0.plusMillis(atMs));
    }

    static List<Weighted> only(String port) {
        return List.of(new Weighted(port, 1));
    }

    @Test
    void theCheapestHealthyUplinkCarriesTheDefaultRoute() {
        Decision d = decide(List.of(wired(true), cell(true, false)), Decision.NONE, 0);
        assertEquals(only("eth0"), d.selection());
        assertEquals("first healthy uplink", d.reason());
    }

    @Test
    void failoverAtOnceFailbackOnlyAfterTheDwellTime() {
        Decision onWired = decide(List.of(wired(true), cell(true, false)), Decision.NONE, 0);
        Decision onCell = decide(List.of(wired(false), cell(true, false)), onWired, 1000);
        assertEquals(only("wwan0"), onCell.selection());
        assertEquals("eth0 is down", onCell.reason());
        assertSame(onCell, decide(List.of(wired(true), cell(true, false)), onCell, 1000 + DWELL.toMillis() - 1),
                "wired healthy again, but the cellular uplink has not held long enough");
        Decision back = decide(List.of(wired(true), cell(true, false)), onCell, 1000 + DWELL.toMillis());
        assertEquals(only("eth0"), back.selection());
        assertEquals("cheaper uplink healthy again", back.reason());
    }

    @Test
    void equalCostsShareLoadOrTakeTurns() {
        Candidate a = new Candidate("eth0", 0, 0, true, false);
        Candidate b = new Candidate("eth3", 0, 1, true, false);
        assertEquals(List.of(new Weighted("eth0", 1), new Weighted("eth3", 1)),
                decide(List.of(a, b), Decision.NONE, 0).selection());
        Decision onB = new Decision(only("eth3"), T0, "x");
        assertSame(onB, Selector.decide(List.of(a, b), EqualCost.FAILOVER, onB, DWELL, T0.plusSeconds(60)),
                "failover-only keeps the current one of equal cost: no pointless switch");
    }

    @Test
    void aCappedUplinkIsALastResort() {
        Candidate cheapCapped = new Candidate("wwan0", 0, 1, true, true);
        Candidate dearer = new Candidate("eth0", 10, 0, true, false);
        Decision onCapped = new Decision(only("wwan0"), T0, "x");
        Decision d = decide(List.of(dearer, cheapCapped), onCapped, 100);
        assertEquals(only("eth0"), d.selection(), "leaving a capped uplink does not wait for the dwell time");
        assertEquals("wwan0 reached its data cap", d.reason());
        assertEquals(only("wwan0"), decide(List.of(new Candidate("eth0", 10, 0, false, false), cheapCapped), d, 200)
                .selection(), "nothing else is up: the capped one carries the traffic");
    }

    @Test
    void nothingUpSelectsNothing() {
        Decision onWired = decide(List.of(wired(true), cell(true, false)), Decision.NONE, 0);
        Decision none = decide(List.of(wired(false), cell(false, false)), onWired, 10);
        assertEquals(List.of(), none.selection());
        assertEquals("no uplink is up", none.reason());
    }

    @Test
    void weightsGoToTheMultipathRoute() {
        Candidate a = new Candidate("eth0", 0, 0, true, false, 3);
        Candidate b = new Candidate("eth3", 0, 1, true, false, 1);
        assertEquals(List.of(new Weighted("eth0", 3), new Weighted("eth3", 1)),
                decide(List.of(a, b), Decision.NONE, 0).selection());
    }
}
