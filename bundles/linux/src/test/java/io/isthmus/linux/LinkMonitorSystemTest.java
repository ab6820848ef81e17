package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.linux.Link;
import io.isthmus.api.linux.LinkListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** LinkMonitor on a real kernel: veth pair va/vb in a namespace of the test's own. Root only. */
@Timeout(60)
class LinkMonitorSystemTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private TestNamespace ns;
    private LinkMonitor monitor;

    /** What a listener was told, and when (System.nanoTime on the listener's thread). */
    record Event(String device, Optional<Link> link, long at) {
        boolean carrier() {
            return link.map(Link::carrier).orElse(false);
        }
    }

    static final class Recorder implements LinkListener {
        final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();

        @Override
        public void linkChanged(String device, Optional<Link> now) {
            events.add(new Event(device, now, System.nanoTime()));
        }

        /** Waits for the first event that matches, dropping the others. */
        Event await(Predicate<Event> match, String what) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                Event e = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
                if (e == null) {
                    throw new AssertionError("no event within " + WAIT.toMillis() + " ms: " + what);
                }
                if (match.test(e)) {
                    return e;
                }
            }
        }
    }

    @BeforeEach
    void start() throws InterruptedException {
        ns = TestNamespace.create();
        ns.ip("link", "add", "name", "va", "type", "veth", "peer", "name", "vb");
        ns.ip("link", "set", "va", "up");
        ns.ip("link", "set", "vb", "up");
        monitor = new LinkMonitor(ns.namespace(), TestLog.logger("link-monitor"));
        monitor.activate();
        assertTrue(monitor.awaitSubscribed(WAIT), "monitor running");
    }

    @AfterEach
    void stop() {
        try {
            if (monitor != null) {
                monitor.deactivate();
            }
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
    }

    @Test
    void aNewListenerStartsFromTheCurrentState() throws InterruptedException {
        Recorder r = new Recorder();
        monitor.addListener(r);
        java.util.Map<String, Event> seen = new java.util.HashMap<>();
        while (seen.size() < 3) {
            Event e = r.await(ev -> List.of("lo", "va", "vb").contains(ev.device()), "synthetic events, got " + seen);
            seen.put(e.device(), e);
        }
        seen.values().forEach(e -> assertTrue(e.carrier(), e.device() + " is up with carrier"));
    }

    /** Carrier loss reaches the listener quickly; the measured latencies are printed (timing asserts are loose). */
    @Test
    void carrierLossIsReportedFast() throws InterruptedException {
        Recorder r = new Recorder();
        monitor.addListener(r);
        r.await(e -> e.device().equals("va") && e.carrier(), "va up");
        List<Long> fromCommand = new ArrayList<>();
        List<Long> fromReturn = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            r.events.clear();
            long before = System.nanoTime();
            ns.ip("link", "set", "vb", "down");
            long returned = System.nanoTime();
            Event down = r.await(e -> e.device().equals("va") && e.link().isPresent() && !e.carrier(), "va carrier lost");
            fromCommand.add(TimeUnit.NANOSECONDS.toMicros(down.at() - before));
            fromReturn.add(TimeUnit.NANOSECONDS.toMicros(down.at() - returned));
            assertEquals("LOWERLAYERDOWN", down.link().orElseThrow().operState());
            assertTrue(down.at() - before < TimeUnit.SECONDS.toNanos(1), "carrier loss within 1 s");

            ns.ip("link", "set", "vb", "up");
            r.await(e -> e.device().equals("va") && e.carrier(), "va carrier back");
        }
        System.out.println("link event latency (µs) from 'ip link set vb down' start: " + fromCommand
                + ", from its return: " + fromReturn);
    }

    @Test
    void linksThatComeAndGo() throws InterruptedException {
        Recorder r = new Recorder();
        monitor.addListener(r);
        ns.ip("link", "add", "name", "vx", "type", "veth", "peer", "name", "vy");
        Event added = r.await(e -> e.device().equals("vx"), "vx added");
        assertFalse(added.link().orElseThrow().adminUp());
        ns.ip("link", "del", "vx");
        r.await(e -> e.device().equals("vx") && e.link().isEmpty(), "vx deleted");
        r.await(e -> e.device().equals("vy") && e.link().isEmpty(), "its peer vy deleted with it");
    }

    @Test
    void aRemovedListenerHearsNothingMore() throws InterruptedException {
        Recorder gone = new Recorder();
        Recorder stays = new Recorder();
        monitor.addListener(gone);
        monitor.addListener(stays);
        gone.await(e -> e.device().equals("vb"), "initial state");
        monitor.removeListener(gone);
        gone.events.clear();
        ns.ip("link", "set", "vb", "down");
        stays.await(e -> e.device().equals("va") && e.link().isPresent() && !e.carrier(), "va carrier lost");
        assertTrue(gone.events.stream().noneMatch(e -> e.device().equals("va") && !e.carrier()), gone.events::toString);
    }

    @Test
    void aDeadMonitorIsRestarted() throws InterruptedException {
        Recorder r = new Recorder();
        monitor.addListener(r);
        Process first = monitor.monitorProcess().orElseThrow();
        first.destroyForcibly();
        long deadline = System.nanoTime() + WAIT.toNanos();
        Optional<Process> next = Optional.empty();
        while (System.nanoTime() < deadline) {
            next = monitor.monitorProcess().filter(p -> p.pid() != first.pid());
            if (next.isPresent()) {
                break;
            }
            Thread.onSpinWait();
        }
        assertTrue(next.isPresent(), "a new ip monitor runs");
        assertNotEquals(first.pid(), next.get().pid());
        // the re-read after a restart repeats the current state, then events flow again
        r.await(e -> e.device().equals("va") && e.carrier(), "state after restart");
        ns.ip("link", "set", "vb", "down");
        r.await(e -> e.device().equals("va") && e.link().isPresent() && !e.carrier(), "events after restart");
    }

    @Test
    void deactivateLeavesNoProcessOrThread() throws InterruptedException {
        Process p = monitor.monitorProcess().orElseThrow();
        monitor.addListener(new Recorder());
        monitor.deactivate();
        monitor = null;
        assertFalse(p.isAlive());
        assertEquals(List.of(), ns.pids(), "nothing left in the namespace");
        assertTrue(Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .noneMatch(t -> t.getName().startsWith("isthmus-link-")), "no monitor, resolver or listener thread");
    }
}
