package io.isthmus.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.config.UplinkConfig;
import io.isthmus.api.linux.EchoStream;
import io.isthmus.api.linux.Pinger;
import io.isthmus.api.net.Ipv4Address;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How a costly uplink's probes are started, retried and restarted, and how rounds reach the manager (a steady run
 * together). The uplink bundle runs no process, so the echo streams here are the test's own (the real {@code ping}
 * stream is tested in the linux bundle, the whole path in UplinkFailoverIT): the test sees each stream's settings
 * and tells its echoes' outcomes.
 */
@Timeout(20)
class ProbeRoundsTest {
    static final Ipv4Address SOURCE = Ipv4Address.parse("100.65.1.10").orElseThrow();
    static final UplinkConfig.Probe PROBE = new UplinkConfig.Probe(List.of("203.0.113.10"), 500, 400, 3, 5);
    /** The settings of UplinkFailoverIT: a costly uplink is probed every 2 s with 16-byte payloads on standby. */
    static final UplinkConfig CFG = new UplinkConfig(PROBE, UplinkConfig.EqualCost.MULTIPATH, 3000,
            new UplinkConfig.Costly(50, 2000, 16), Map.of());

    /** One stream the prober started: its settings, where its outcomes go, whether it was closed. */
    record Started(int payloadBytes, Duration interval, EchoStream.Outcomes outcomes, AtomicBoolean closed) {
        void lost() {
            outcomes.echo(1, Optional.empty(), Instant.now());
        }

        void answered() {
            outcomes.echo(1, Optional.of(Duration.ofMillis(3)), Instant.now());
        }
    }

    final BlockingQueue<Started> started = new LinkedBlockingQueue<>();
    final BlockingQueue<Boolean> rounds = new LinkedBlockingQueue<>();
    final Pinger pinger = new Pinger() {
        @Override
        public Optional<Duration> ping(Ipv4Address source, Ipv4Address target, int payloadBytes, Duration timeout) {
            return Optional.empty();
        }

        @Override
        public EchoStream stream(Ipv4Address source, Ipv4Address target, int payloadBytes, Duration interval,
                Duration timeout, EchoStream.Outcomes outcomes) {
            AtomicBoolean closed = new AtomicBoolean();
            started.add(new Started(payloadBytes, interval, outcomes, closed));
            return () -> closed.set(true);
        }
    };
    final ProbeRounds probeRounds = new ProbeRounds(new Prober(pinger),
            (port, gen, ok, rtt, at) -> rounds.add(ok));
    final AtomicBoolean standby = new AtomicBoolean(true);
    final AtomicBoolean told = new AtomicBoolean(false);

    @AfterEach
    void close() {
        probeRounds.close();
    }

    void startCellular() {
        probeRounds.start("wwan0", 1, PROBE, List.of(ProbeTarget.parse("203.0.113.10").target().orElseThrow()),
                port -> ProbeRounds.Plan.of(CFG, 100, Optional.of(SOURCE), standby.get(), told.get()), () -> 1);
    }

    Started next() throws InterruptedException {
        Started s = started.poll(5, TimeUnit.SECONDS);
        assertNotNull(s, "a stream was started");
        return s;
    }

    @Test
    void aCostlyStandbyUplinkIsProbedSlowlyWithSmallPacketsFromItsFirstProbe() {
        ProbeRounds.Plan plan = ProbeRounds.Plan.of(CFG, 100, Optional.of(SOURCE), true, false);
        assertEquals(Duration.ofMillis(2000), plan.interval());
        assertEquals(16, plan.payloadBytes());
        assertEquals(Optional.of(Duration.ofMillis(500)), plan.retry(), "a lost first probe is tried again soon");

        ProbeRounds.Plan active = ProbeRounds.Plan.of(CFG, 100, Optional.of(SOURCE), false, false);
        assertEquals(Duration.ofMillis(500), active.interval(), "once it carries traffic: the normal rate");
        assertEquals(ProbeRounds.PAYLOAD_BYTES, active.payloadBytes());
        ProbeRounds.Plan wired = ProbeRounds.Plan.of(CFG, 0, Optional.of(SOURCE), true, false);
        assertEquals(Duration.ofMillis(500), wired.interval(), "a cheap uplink is no costly one");
        assertEquals(Optional.empty(), wired.retry());
    }

    @Test
    void theFirstStreamOfACostlyStandbyUplinkHasTheStandbySettings() throws Exception {
        startCellular();
        Started first = next();
        assertEquals(16, first.payloadBytes());
        assertEquals(Duration.ofMillis(2000), first.interval());
    }

    @Test
    void aLostFirstEchoIsTriedAgainSoonWithTheSameSmallPackets() throws Exception {
        startCellular();
        Started first = next();
        long lostAt = System.nanoTime();
        first.lost();
        assertEquals(Boolean.FALSE, rounds.poll(5, TimeUnit.SECONDS));
        Started again = next();
        long after = (System.nanoTime() - lostAt) / 1_000_000;
        assertTrue(after < 1500, "tried again after the normal interval, not the slow one: " + after + " ms");
        assertTrue(first.closed().get(), "the first stream ended");
        assertEquals(16, again.payloadBytes());
        assertEquals(Duration.ofMillis(2000), again.interval());
    }

    @Test
    void anUplinkThatNeverAnswersIsTriedAgainAtMostUntilItCountsAsDown() throws Exception {
        startCellular(); // the manager is not told here: only the bound in the probes stops the retries
        for (int i = 0; i < PROBE.downAfter(); i++) {
            Started s = next();
            assertEquals(16, s.payloadBytes());
            s.lost();
            assertEquals(Boolean.FALSE, rounds.poll(5, TimeUnit.SECONDS));
        }
        assertNull(started.poll(1500, TimeUnit.MILLISECONDS), "downAfter (3) lost probes, then the slow interval");
    }

    @Test
    void onceItsProbesHaveToldSomethingALostEchoWaitsForTheSlowInterval() throws Exception {
        startCellular();
        Started first = next();
        first.answered();
        assertEquals(Boolean.TRUE, rounds.poll(5, TimeUnit.SECONDS));
        told.set(true); // the manager: its health is known now
        probeRounds.replan();
        assertNull(started.poll(1, TimeUnit.SECONDS), "no restart: the probes on the wire are the same");
        first.lost();
        assertEquals(Boolean.FALSE, rounds.poll(5, TimeUnit.SECONDS));
        assertNull(started.poll(1500, TimeUnit.MILLISECONDS), "no retry: the next echo comes at the slow interval");
        assertFalse(first.closed().get());
    }

    @Test
    void becomingActiveRestartsItsStreamAtTheNormalSettingsAndStandbyAgainAtTheSmallOnes() throws Exception {
        startCellular();
        Started slow = next();
        slow.answered();
        told.set(true);
        standby.set(false); // the manager selected it
        probeRounds.replan();
        Started fast = next();
        assertTrue(slow.closed().get());
        assertEquals(ProbeRounds.PAYLOAD_BYTES, fast.payloadBytes());
        assertEquals(Duration.ofMillis(500), fast.interval());

        standby.set(true); // failback: standby again
        probeRounds.replan();
        Started small = next();
        assertTrue(fast.closed().get());
        assertEquals(16, small.payloadBytes());
        assertEquals(Duration.ofMillis(2000), small.interval());
    }

    /** What the manager was told: one entry per call, a steady run's rounds together in one. */
    final BlockingQueue<List<Boolean>> told2 = new LinkedBlockingQueue<>();
    final ProbeRounds batching = new ProbeRounds(new Prober(pinger), new ProbeRounds.Results() {
        @Override
        public void round(String port, long gen, boolean ok, Optional<Duration> rtt, Instant at) {
            told2.add(List.of(ok));
        }

        @Override
        public void rounds(String port, long gen, List<ProbeRounds.Round> rounds) {
            told2.add(rounds.stream().map(ProbeRounds.Round::ok).toList());
        }
    });

    Started startWired() throws InterruptedException {
        batching.start("eth0", 1, PROBE, List.of(ProbeTarget.parse("203.0.113.10").target().orElseThrow()),
                port -> ProbeRounds.Plan.of(CFG, 0, Optional.of(SOURCE), false, true), () -> 1);
        return next();
    }

    List<Boolean> toldNext() throws InterruptedException {
        List<Boolean> t = told2.poll(5, TimeUnit.SECONDS);
        assertNotNull(t, "the manager was told");
        return t;
    }

    /**
     * Rounds that could move the health (the first upAfter = 5 of a run of answers, the first downAfter = 3 of a
     * run of losses) are told one by one as they come; further rounds of a steady run wait and are told
     * together, before the next round that differs: the manager's thread does not wake for every echo.
     */
    @Test
    void aSteadyRunIsToldTogetherAndARoundThatDiffersAtOnce() throws Exception {
        Started s = startWired();
        try {
            for (int i = 0; i < 5; i++) {
                s.answered();
                assertEquals(List.of(true), toldNext(), "answer " + (i + 1) + " of the run: at once");
            }
            for (int i = 0; i < 4; i++) {
                s.answered();
            }
            assertNull(told2.poll(300, TimeUnit.MILLISECONDS), "a steady run waits");
            s.lost();
            assertEquals(List.of(true, true, true, true), toldNext(), "the run first, in one call");
            assertEquals(List.of(false), toldNext(), "then the loss, at once");
            for (int i = 0; i < 2; i++) {
                s.lost();
                assertEquals(List.of(false), toldNext(), "a run of losses: the first downAfter (3) told at once");
            }
            s.lost();
            s.lost();
            assertNull(told2.poll(300, TimeUnit.MILLISECONDS));
            batching.prompt("eth0"); // the carrier changed: the manager wants every round again
            assertEquals(List.of(false, false), toldNext(), "what waited, at the prompt");
            s.lost();
            assertEquals(List.of(false), toldNext(), "after a prompt, rounds are told as they come");
        } finally {
            batching.close();
        }
    }

    /** A steady run is told at most {@link ProbeRounds#TELL_STEADY_EVERY} late: the status figures stay fresh. */
    @Test
    void aSteadyRunIsToldWithinFiveSeconds() throws Exception {
        Started s = startWired();
        try {
            for (int i = 0; i < 5; i++) {
                s.answered();
                toldNext();
            }
            long start = System.nanoTime();
            List<Boolean> batch = null;
            while (batch == null && System.nanoTime() - start < 8_000_000_000L) {
                s.answered(); // one answer per interval (500 ms)
                batch = told2.poll(500, TimeUnit.MILLISECONDS);
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertNotNull(batch, "told within 8 s");
            assertTrue(batch.size() >= 8 && ms < 6000, batch.size() + " rounds told after " + ms + " ms");
        } finally {
            batching.close();
        }
    }
}
