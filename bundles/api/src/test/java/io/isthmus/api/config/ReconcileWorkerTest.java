package io.isthmus.api.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The worker's pass scheduling: events coalesced, the periodic pass as slow as the owner says. */
@Timeout(20)
class ReconcileWorkerTest {

    @Test
    void requestsMadeWhileAPassIsQueuedAreThatPass() throws Exception {
        AtomicInteger passes = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        try (ReconcileWorker w = new ReconcileWorker("test", passes::incrementAndGet, Duration.ofMinutes(5), m -> {
        })) {
            w.execute(() -> {
                try {
                    release.await(); // the worker is busy while the events come
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            for (int i = 0; i < 50; i++) {
                w.request();
            }
            release.countDown();
            w.call(() -> null, Duration.ofSeconds(5)); // everything queued before has run
            assertEquals(1, passes.get(), "a burst of 50 events: one pass");
            w.request();
            w.call(() -> null, Duration.ofSeconds(5));
            assertEquals(2, passes.get(), "a later event: a pass of its own");
        }
    }

    @Test
    void noPeriodicPassBeforeTheDriftPeriod() throws Exception {
        AtomicInteger passes = new AtomicInteger();
        try (ReconcileWorker w = new ReconcileWorker("test", passes::incrementAndGet, Duration.ofSeconds(30), m -> {
        })) {
            Thread.sleep(500); // a window to see that nothing runs in, not synchronisation
            assertEquals(0, passes.get());
        }
    }

    @Test
    void aPassThatShortensThePeriodBringsTheNextPeriodicPassForward() throws Exception {
        AtomicReference<Duration> drift = new AtomicReference<>(Duration.ofMinutes(5));
        CountDownLatch periodic = new CountDownLatch(3);
        AtomicInteger applied = new AtomicInteger();
        try (ReconcileWorker w = new ReconcileWorker("test", () -> {
            if (applied.get() > 0) {
                periodic.countDown();
            }
        }, drift::get, m -> {
        })) {
            // e.g. a document with a data cap: counters wanted every 50 ms from now on, not in 5 minutes
            w.apply(() -> {
                drift.set(Duration.ofMillis(50));
                applied.incrementAndGet();
            }, Duration.ofSeconds(5));
            assertTrue(periodic.await(5, TimeUnit.SECONDS), "periodic passes at the new period");
        }
    }
}
