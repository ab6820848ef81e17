package io.isthmus.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.isthmus.api.config.UplinkConfig;
import io.isthmus.api.config.UplinkConfig.EqualCost;
import io.isthmus.api.uplink.UplinkSelection.Weighted;
import io.isthmus.uplink.Selector.Candidate;
import io.isthmus.uplink.Selector.Decision;
import io.isthmus.uplink.Selector.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    static UplinkConfig usage(Optional<List<String>> management, Optional<List<String>> data) {
        UplinkConfig d = UplinkConfig.defaults();
        return new UplinkConfig(d.probe(), d.equalCost(), d.minDwellMs(), d.costly(), Map.of(), Map.of(), management,
                data);
    }

    static Paths paths(List<Candidate> c, UplinkConfig cfg, Paths current, long atMs) {
        return Selector.decidePaths(c, cfg, cfg.splitsPaths(List.of("eth0", "wwan0")), current, DWELL,
                T0.plusMillis(atMs));
    }

    static final Paths NONE = new Paths(Decision.NONE, Decision.NONE);

    @Test
    void withoutListsOnePathCarriesBoth() {
        UplinkConfig cfg = UplinkConfig.defaults();
        Paths p = paths(List.of(wired(true), cell(true, false)), cfg, NONE, 0);
        assertSame(p.management(), p.data(), "one decision: today's behaviour");
        assertEquals(only("eth0"), p.management().selection());
        Paths failed = paths(List.of(wired(false), cell(true, false)), cfg, p, 100);
        assertEquals(only("wwan0"), failed.data().selection(), "data fails over to any uplink");
    }

    @Test
    void eachPathIsPickedAmongTheUplinksAllowedToCarryIt() {
        // the lab's split: cellular (a private APN) for management only, wired for data only
        UplinkConfig cfg = usage(Optional.of(List.of("wwan0")), Optional.of(List.of("eth0")));
        Paths p = paths(List.of(wired(true), cell(true, false)), cfg, NONE, 0);
        assertEquals(only("wwan0"), p.management().selection(), "the dearer uplink, the only one allowed management");
        assertEquals(only("eth0"), p.data().selection());

        Paths wiredDown = paths(List.of(wired(false), cell(true, false)), cfg, p, 100);
        assertEquals(List.of(), wiredDown.data().selection(), "no fallback of data onto the management-only uplink");
        assertSame(p.management(), wiredDown.management(), "management unmoved");

        Paths cellDown = paths(List.of(wired(true), cell(false, false)), cfg, p, 100);
        assertEquals(List.of(), cellDown.management().selection(), "management never takes the data-only uplink");
        assertSame(p.data(), cellDown.data());
    }

    @Test
    void aSharedUplinkFailsOverForBothPathsBySameCostRules() {
        // management may take either, data only wired: wired carries both while it is up
        UplinkConfig cfg = usage(Optional.of(List.of("eth0", "wwan0")), Optional.of(List.of("eth0")));
        Paths p = paths(List.of(wired(true), cell(true, false)), cfg, NONE, 0);
        assertEquals(only("eth0"), p.management().selection());
        assertEquals(only("eth0"), p.data().selection());
        Paths down = paths(List.of(wired(false), cell(true, false)), cfg, p, 100);
        assertEquals(only("wwan0"), down.management().selection(), "management fails over at once");
        assertEquals(List.of(), down.data().selection());
        Paths early = paths(List.of(wired(true), cell(true, false)), cfg, down, 100 + DWELL.toMillis() - 1);
        assertSame(down.management(), early.management(), "failback of management waits for the dwell time");
        assertEquals(only("eth0"), early.data().selection(), "data had nothing: it takes wired at once");
        assertEquals(only("eth0"), paths(List.of(wired(true), cell(true, false)), cfg, early,
                100 + DWELL.toMillis()).management().selection());
    }
}
