package io.isthmus.net.cellular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.net.cellular.RecoveryPolicy.Decision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecoveryPolicyTest {
    static final CellularSettings.Recovery SETTINGS = new CellularSettings.Recovery(Duration.ofSeconds(1),
            Duration.ofSeconds(8), 3, Duration.ofSeconds(60));
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void backoffDoublesFromMinToMaxWithBoundedJitter() {
        RecoveryPolicy none = new RecoveryPolicy(SETTINGS, () -> 0);
        assertEquals(List.of(1000L, 2000L, 4000L, 8000L, 8000L, 8000L),
                List.of(1, 2, 3, 4, 5, 40).stream().map(n -> none.backoff(n).toMillis()).toList());
        RecoveryPolicy most = new RecoveryPolicy(SETTINGS, () -> 0.999);
        assertEquals(1199, most.backoff(1).toMillis());
        assertEquals(4799, most.backoff(3).toMillis());
        assertEquals(8000, most.backoff(4).toMillis(), "never beyond the maximum");
    }

    /** Drives the policy like the driver: attempt whenever allowed, every attempt fails; what happens when. */
    static List<String> simulate(RecoveryPolicy p, Duration span) {
        List<String> log = new ArrayList<>();
        Instant now = T0;
        p.failed(now, "bearer lost");
        while (now.isBefore(T0.plus(span))) {
            Decision d = p.next(now);
            long s = Duration.between(T0, now).toMillis();
            if (d instanceof Decision.Reset) {
                log.add("reset@" + s);
                p.resetDone(now);
            } else if (d instanceof Decision.Attempt) {
                log.add("try@" + s);
                p.failed(now, "no registration");
            }
            now = now.plusMillis(100);
        }
        return log;
    }

    @Test
    void resetAfterNFailuresThenNeverWithinTheMinimumInterval() {
        List<String> log = simulate(new RecoveryPolicy(SETTINGS, () -> 0), Duration.ofSeconds(90));
        // lost at 0 (failure 1): tries at 1 s (2) and 3 s (3): the third failure makes a reset due after the next
        // backoff (4 s); after it the count starts again, but the next reset waits for the 60 s minimum interval
        assertEquals(List.of("try@1000", "try@3000", "reset@7000", "try@8000", "try@9000", "try@11000",
                "try@15000", "try@23000", "try@31000", "try@39000", "try@47000", "try@55000", "try@63000",
                "reset@71000", "try@72000", "try@73000", "try@75000", "try@79000", "try@87000"), log);
    }

    @Test
    void aConnectionThatHoldsStartsAfresh() {
        RecoveryPolicy p = new RecoveryPolicy(SETTINGS, () -> 0);
        p.failed(T0, "x");
        p.failed(T0, "x");
        p.succeeded(T0);
        assertInstanceOf(Decision.Attempt.class, p.next(T0));
        Instant held = T0.plus(SETTINGS.minResetInterval());
        p.failed(held, "x");
        assertEquals(1, p.failures());
        assertEquals(new Decision.Wait(held.plusSeconds(1)), p.next(held));
    }

    /** A bearer that drops again soon after each connect is still a failing modem: it gets its reset. */
    @Test
    void aBearerThatKeepsDroppingSoonAfterConnectingStillLeadsToAReset() {
        RecoveryPolicy p = new RecoveryPolicy(SETTINGS, () -> 0);
        Instant now = T0;
        int connects = 0;
        for (int i = 0; i < 100 && !(p.next(now) instanceof Decision.Reset); i++) {
            Decision d = p.next(now);
            if (d instanceof Decision.Wait w) {
                now = w.until();
            } else {
                p.succeeded(now); // connected ...
                connects++;
                now = now.plusSeconds(5);
                p.failed(now, "bearer lost"); // ... and lost again after 5 s
            }
        }
        assertInstanceOf(Decision.Reset.class, p.next(now), "a reset after repeated short-lived connections");
        assertEquals(SETTINGS.resetAfterFailures(), connects, "each short-lived connection counted as a failure");
    }

    @Test
    void configurationErrorsNeverLeadToAResetAndAreRetriedSlowly() {
        RecoveryPolicy p = new RecoveryPolicy(SETTINGS, () -> 0);
        Instant now = T0;
        int attempts = 0;
        for (int i = 0; i < 3000; i++, now = now.plusMillis(100)) {
            Decision d = p.next(now);
            assertTrue(!(d instanceof Decision.Reset), "no reset for a wrong APN");
            if (d instanceof Decision.Attempt) {
                attempts++;
                p.configError(now, "APN rejected by network");
            }
        }
        assertEquals(38, attempts, "once every reconnectMax (8 s) over 300 s");
        assertEquals(0, p.resets());
    }

    @Test
    void aWrongPinIsNeverRetried() {
        RecoveryPolicy p = new RecoveryPolicy(SETTINGS, () -> 0);
        p.permanentError("SIM PIN wrong");
        assertEquals(new Decision.Blocked("SIM PIN wrong"), p.next(T0.plus(Duration.ofDays(30))));
    }
}
