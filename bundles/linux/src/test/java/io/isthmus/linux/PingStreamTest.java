package io.isthmus.linux;

import static io.isthmus.linux.ChangeTranslatorTest.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.linux.EchoStream;
import io.isthmus.api.linux.KernelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Echo streams: one long-lived ping per target, each echo's outcome in order, losses on time. */
@Timeout(60)
class PingStreamTest {
    record Echo(long seq, Optional<Duration> rtt, long at) {
    }

    final LinkedBlockingQueue<Echo> echoes = new LinkedBlockingQueue<>();
    final EchoStream.Outcomes outcomes = (seq, rtt, sent) -> echoes.add(new Echo(seq, rtt, System.nanoTime()));
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    Echo next(Duration within) throws InterruptedException {
        Echo e = echoes.poll(within.toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            throw new AssertionError("no outcome within " + within.toMillis() + " ms");
        }
        return e;
    }

    /** ping's lines fed by hand (no process): replies, a late reply, a reply too small to carry a time. */
    @Test
    void repliesAndLossesFromPingsLines() throws InterruptedException {
        PingStream s = new PingStream(new ProcessRunner(Namespace.NONE, Duration.ofSeconds(1)), "test",
                List.of(), Duration.ofMillis(200), Duration.ofMillis(100), 56, outcomes, timer, TestLog.logger("p"));
        long t0 = System.nanoTime();
        s.restarted(t0);
        s.read("PING 203.0.113.10 (203.0.113.10) from 100.65.1.10 : 56(84) bytes of data.", t0);
        s.read("64 bytes from 203.0.113.10: icmp_seq=1 ttl=63 time=0.512 ms", t0 + 1_000_000);
        Echo first = next(Duration.ofSeconds(1));
        assertEquals(1, first.seq());
        assertEquals(Optional.of(Duration.ofNanos(512_000)), first.rtt());
        // seq 2 gets a reply after 150 ms, later than the 100 ms timeout: lost
        s.read("64 bytes from 203.0.113.10: icmp_seq=2 ttl=63 time=150 ms", t0 + 350_000_000);
        Echo second = next(Duration.ofSeconds(1));
        assertEquals(2, second.seq());
        assertEquals(Optional.empty(), second.rtt());
        // an ICMP error from a router is no answer; a late duplicate of an echo already told changes nothing
        s.read("From 100.64.1.1 icmp_seq=3 Destination Host Unreachable", t0 + 410_000_000);
        s.read("64 bytes from 203.0.113.10: icmp_seq=1 ttl=63 time=0.4 ms (DUP!)", t0 + 420_000_000);
        s.read("64 bytes from 203.0.113.10: icmp_seq=4 ttl=63 time=1.25 ms", t0 + 601_250_000);
        Echo third = next(Duration.ofSeconds(1));
        assertEquals(3, third.seq());
        assertEquals(Optional.empty(), third.rtt(), "seq 3 never answered: lost");
        Echo fourth = next(Duration.ofSeconds(1));
        assertEquals(4, fourth.seq());
        assertEquals(Optional.of(Duration.ofNanos(1_250_000)), fourth.rtt());
        assertEquals(null, echoes.poll(), "nothing more");
        s.close();
    }

    @Test
    void numbersFromPingsText() {
        assertEquals(12, PingStream.digits("icmp_seq=12 ttl=63", 9));
        assertEquals(-1, PingStream.digits("icmp_seq= ttl", 9));
        assertEquals(512_000, PingStream.millisAsNanos("time=0.512 ms", 5));
        assertEquals(-1, PingStream.millisAsNanos("time=x ms", 5));
        assertEquals(150_000_000, PingStream.millisAsNanos("time=150 ms", 5));
        assertEquals(1_250_000, PingStream.millisAsNanos("time=1.25 ms", 5));
        assertEquals(12_300_000, PingStream.millisAsNanos("time=12.3", 5), "at the end of the line");
        assertEquals(1_234_567, PingStream.millisAsNanos("time=1.2345678 ms", 5), "below a nanosecond: dropped");
    }

    @Test
    void argvAndRanges() throws KernelException {
        assertEquals(List.of("-n", "-O", "-i", "0.500", "-s", "16", "-I", "100.65.1.10", "203.0.113.10"),
                PingStream.argv("100.65.1.10", "203.0.113.10", 16, Duration.ofMillis(500)));
        PingCommand pinger = new PingCommand(Namespace.NONE, TestLog.logger("ping"));
        assertThrows(KernelException.class, () -> pinger.stream(ip("1.2.3.4"), ip("1.2.3.5"), 56,
                Duration.ofMillis(10), Duration.ofMillis(400), outcomes), "interval below ping's minimum");
        assertThrows(KernelException.class, () -> pinger.stream(ip("1.2.3.4"), ip("1.2.3.5"), -1,
                Duration.ofMillis(500), Duration.ofMillis(400), outcomes));
    }

    /** A real stream in a namespace: replies while the target answers, losses at the interval once it does not. */
    @Test
    void oneProcessForManyEchoesInARealNamespace() throws Exception {
        try (TestNamespace ns = TestNamespace.create()) {
            ns.ip("address", "add", "127.0.0.2/8", "dev", "lo");
            PingCommand pinger = new PingCommand(ns.namespace(), TestLog.logger("ping"));
            long pidsBefore = ns.pids().size();
            try (EchoStream s = pinger.stream(ip("127.0.0.2"), ip("127.0.0.1"), 56, Duration.ofMillis(200),
                    Duration.ofMillis(400), outcomes)) {
                List<Echo> got = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    got.add(next(Duration.ofSeconds(2)));
                }
                for (int i = 0; i < 5; i++) {
                    assertEquals(i + 1, got.get(i).seq(), "in order: " + got);
                    assertTrue(got.get(i).rtt().isPresent() && got.get(i).rtt().get().compareTo(Duration.ZERO) > 0,
                            "answered: " + got);
                }
                assertEquals(pidsBefore + 1, ns.pids().size(), "one ping process for all echoes");
                // the target stops answering: losses, one per interval, within timeout + slack of each send
                ns.exec("nft", "add", "table", "ip", "t");
                ns.exec("nft", "add", "chain", "ip", "t", "out", "{ type filter hook output priority 0; }");
                ns.exec("nft", "add", "rule", "ip", "t", "out", "icmp", "type", "echo-request", "drop");
                echoes.clear();
                Echo lost;
                do {
                    lost = next(Duration.ofSeconds(2));
                } while (lost.rtt().isPresent()); // an echo in flight when the rule came
                Echo e = lost;
                for (int i = 0; i < 3; i++) {
                    e = next(Duration.ofSeconds(1));
                    assertEquals(Optional.empty(), e.rtt(), "lost");
                    assertEquals(lost.seq() + i + 1, e.seq());
                }
                double perLoss = (e.at() - lost.at()) / 3e6;
                assertTrue(perLoss > 150 && perLoss < 300, "one loss per 200 ms interval: " + perLoss + " ms");
            }
        }
    }

    /**
     * A steady stream (every echo answered; interval 200 ms, timeout 100 ms: ping's own line for an unanswered echo
     * comes 90 ms after its deadline) arms no deadline per answered echo: no thread but the reader wakes for it. Its
     * first loss is told from ping's line as the next echo goes out, the next ones at their deadlines.
     */
    @Test
    void aSteadyStreamArmsNoDeadlinePerAnsweredEcho() throws Exception {
        java.util.concurrent.atomic.AtomicInteger armed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ScheduledThreadPoolExecutor counting = new java.util.concurrent.ScheduledThreadPoolExecutor(1) {
            @Override
            public java.util.concurrent.ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
                armed.incrementAndGet();
                return super.schedule(task, delay, unit);
            }
        };
        LinkedBlockingQueue<long[]> told = new LinkedBlockingQueue<>(); // seq, answered (1/0), told - sent (ms)
        EchoStream.Outcomes timed = (seq, rtt, sent) -> told.add(new long[] {seq, rtt.isPresent() ? 1 : 0,
                java.time.Duration.between(sent, java.time.Instant.now()).toMillis()});
        try (TestNamespace ns = TestNamespace.create()) {
            ns.ip("address", "add", "127.0.0.2/8", "dev", "lo");
            PingStream s = new PingStream(new ProcessRunner(ns.namespace(), Duration.ofSeconds(5)), "test",
                    PingStream.argv("127.0.0.2", "127.0.0.1", 56, Duration.ofMillis(200)), Duration.ofMillis(200),
                    Duration.ofMillis(100), 56, timed, counting, TestLog.logger("p"));
            s.start();
            try {
                for (int i = 0; i < 3; i++) { // settled in: the first answers
                    assertEquals(1, poll(told)[1], "answered");
                }
                int before = armed.get();
                for (int i = 0; i < 16; i++) {
                    assertEquals(1, poll(told)[1], "answered");
                }
                int during = armed.get() - before;
                assertTrue(during <= 3, "16 answered echoes (3.2 s) armed " + during
                        + " deadlines: the safety net every 8 echoes, not one per echo");
                ns.exec("nft", "add", "table", "ip", "t");
                ns.exec("nft", "add", "chain", "ip", "t", "out", "{ type filter hook output priority 0; }");
                ns.exec("nft", "add", "rule", "ip", "t", "out", "icmp", "type", "echo-request", "drop");
                long[] first;
                do {
                    first = poll(told);
                } while (first[1] == 1); // echoes in flight when the rule came
                assertTrue(first[2] < 200 + 150, "the first loss told from ping's line as the next echo went out, "
                        + "not at the safety net: " + first[2] + " ms after its send");
                for (int i = 0; i < 3; i++) {
                    long[] e = poll(told);
                    assertEquals(0, e[1], "lost");
                    assertTrue(e[2] < 110 + 150, "later losses at their deadline (110 ms): " + e[2] + " ms");
                }
            } finally {
                s.close();
            }
        } finally {
            counting.shutdownNow();
        }
    }

    static long[] poll(LinkedBlockingQueue<long[]> q) throws InterruptedException {
        long[] e = q.poll(2, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no outcome within 2 s");
        }
        return e;
    }
}
