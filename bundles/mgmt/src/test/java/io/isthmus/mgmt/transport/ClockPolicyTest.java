package io.isthmus.mgmt.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.linux.ClockState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClockPolicyTest {
    static final Instant CLOCK = Instant.parse("2021-12-04T19:22:50Z");
    static final Instant BUILT = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void theWaitIsBoundedOnTheMonotonicClockFromTheStart() {
        AtomicLong nanos = new AtomicLong(1_000);
        ClockPolicy p = new ClockPolicy(() -> new ClockState(true, false, 0), Duration.ofMinutes(5),
                Optional.of(BUILT), nanos::get);
        assertEquals(new ClockPolicy.Wait(CLOCK, 300), p.decide(CLOCK));
        nanos.addAndGet(Duration.ofSeconds(299).toNanos() + 1);
        assertEquals(new ClockPolicy.Wait(CLOCK, 1), p.decide(CLOCK));
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        ClockPolicy.CheckAt floor = (ClockPolicy.CheckAt) p.decide(CLOCK);
        assertEquals(BUILT, floor.date());
        assertTrue(floor.why().contains("no time sync within 300 s"), floor.why());
    }

    @Test
    void synchronisedIsTheSystemClockMinusTheOffset() {
        ClockPolicy p = new ClockPolicy(() -> new ClockState(true, true, -157680000), Duration.ofMinutes(5),
                Optional.of(BUILT), System::nanoTime);
        assertEquals(CLOCK.plusSeconds(157680000), ((ClockPolicy.CheckAt) p.decide(CLOCK)).date());
    }

    @Test
    void theFloorNeverMovesTheClockBack() {
        ClockPolicy p = new ClockPolicy(() -> ClockState.UNKEPT, Duration.ofMinutes(5), Optional.of(BUILT),
                System::nanoTime);
        Instant later = BUILT.plusSeconds(3600);
        assertEquals(later, ((ClockPolicy.CheckAt) p.decide(later)).date());
        assertEquals(BUILT, ((ClockPolicy.CheckAt) p.decide(CLOCK)).date());
    }

    @Test
    void aClientThatCannotBeAskedIsAClockNobodyKeeps() {
        ClockPolicy p = new ClockPolicy(() -> {
            throw new IllegalStateException("the linux bundle is stopping");
        }, Duration.ofMinutes(5), Optional.of(BUILT), System::nanoTime);
        assertEquals(BUILT, ((ClockPolicy.CheckAt) p.decide(CLOCK)).date());
    }

    @Test
    void theFrameworkPropertiesAndBadValues() {
        List<String> errors = new ArrayList<>();
        Map<String, String> props = Map.of(ClockPolicy.WAIT_PROPERTY, "5000", ClockPolicy.BUILD_TIME_PROPERTY,
                BUILT.toString());
        ClockPolicy.of(props::get, () -> new ClockState(true, false, 0), errors::add);
        assertEquals(List.of(), errors);
        assertEquals(Duration.ofMillis(5000), ClockPolicy.waitFor("5000"));
        assertEquals(ClockPolicy.DEFAULT_WAIT, ClockPolicy.waitFor(null));
        assertEquals(Optional.empty(), ClockPolicy.buildTime(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClockPolicy.waitFor("5min"));
        assertEquals("isthmus.time.tlsWaitMs: '5min' is not a whole number of ms", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClockPolicy.waitFor("-1"));
        ClockPolicy.of(Map.of(ClockPolicy.WAIT_PROPERTY, "soon", ClockPolicy.BUILD_TIME_PROPERTY, "yesterday")::get,
                () -> ClockState.UNKEPT, errors::add);
        assertEquals(List.of("isthmus.time.tlsWaitMs: 'soon' is not a whole number of ms; using 300000 ms",
                "isthmus.build.time: 'yesterday' is not an ISO instant; no floor for the clock"), errors);
    }
}
