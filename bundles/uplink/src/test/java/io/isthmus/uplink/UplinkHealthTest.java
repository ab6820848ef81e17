package io.isthmus.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.uplink.UplinkState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UplinkHealthTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    static Instant at(long ms) {
        return T0.plusMillis(ms);
    }

    UplinkHealth probed() {
        UplinkHealth h = new UplinkHealth(3, 5, true, T0);
        h.carrier(true, T0);
        return h;
    }

    @Test
    void aFreshUplinkIsUpAfterItsFirstAnswer() {
        UplinkHealth h = probed();
        assertFalse(h.usable(), "not probed yet");
        h.round(true, Optional.of(Duration.ofMillis(3)), at(500));
        assertEquals(UplinkState.Health.UP, h.state());
        assertEquals(Optional.of(Duration.ofMillis(3)), h.lastRtt());
    }

    @Test
    void downAfterFailuresInARowThenUpOnlyAfterUpAfterAnswers() {
        UplinkHealth h = probed();
        h.round(true, Optional.empty(), at(0));
        h.round(false, Optional.empty(), at(500));
        assertEquals(UplinkState.Health.DEGRADED, h.state());
        assertTrue(h.usable(), "one failure is not an outage");
        h.round(false, Optional.empty(), at(1000));
        h.round(false, Optional.empty(), at(1500));
        assertEquals(UplinkState.Health.DOWN, h.state());
        assertEquals(Optional.of(at(500)), h.firstFailure(), "detection counts from the first failed probe");
        for (int i = 0; i < 4; i++) {
            h.round(true, Optional.empty(), at(2000 + i * 500));
            assertFalse(h.usable(), "hysteresis: " + (i + 1) + " answers are not enough");
        }
        h.round(true, Optional.empty(), at(4000));
        assertTrue(h.usable());
        assertEquals(3.0 / 9, h.loss(), 1e-9, "3 of the last 9 rounds failed");
    }

    @Test
    void carrierLossIsDownAtOnceAndCarrierBackStillNeedsAnswers() {
        UplinkHealth h = probed();
        h.round(true, Optional.empty(), at(0));
        h.carrier(false, at(100));
        assertEquals(UplinkState.Health.DOWN, h.state());
        assertEquals("lost carrier", h.reason());
        h.carrier(true, at(200));
        assertFalse(h.usable());
        for (int i = 0; i < 5; i++) {
            h.round(true, Optional.empty(), at(300 + i * 500));
        }
        assertTrue(h.usable());
    }

    @Test
    void withoutTargetsCarrierDecides() {
        UplinkHealth h = new UplinkHealth(3, 5, false, T0);
        h.carrier(true, T0);
        assertTrue(h.usable());
        h.carrier(false, at(1));
        assertFalse(h.usable());
    }
}
