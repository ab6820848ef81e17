package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.linux.KernelStateListener;
import io.isthmus.api.linux.KernelStateListener.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** StateMonitor on a real kernel (a namespace of the test's own): what drift repair hears instead of polling. */
@Timeout(60)
class StateMonitorSystemTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private TestNamespace ns;
    private StateMonitor monitor;
    private final LinkedBlockingQueue<Set<Kind>> calls = new LinkedBlockingQueue<>();
    private final KernelStateListener listener = calls::add;

    @BeforeEach
    void start() throws InterruptedException {
        ns = TestNamespace.create();
        ns.ip("link", "add", "name", "va", "type", "veth", "peer", "name", "vb");
        ns.ip("link", "set", "va", "up");
        monitor = new StateMonitor(ns.namespace(), TestLog.logger("state-monitor"));
        monitor.activate();
        assertTrue(monitor.awaitSubscribed(WAIT), "monitors running");
        monitor.addListener(listener);
        quiet(); // the start-up "re-read everything" call, if it came after the listener was added
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

    /** Drops calls until none came for a while. */
    private void quiet() throws InterruptedException {
        while (calls.poll(300, TimeUnit.MILLISECONDS) != null) {
            // drain
        }
    }

    /** The kinds of every call within a second of the first one (the first within WAIT). */
    private Optional<Set<Kind>> next() throws InterruptedException {
        Set<Kind> first = calls.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        return Optional.ofNullable(first);
    }

    @Test
    void eachKindOfChangeFromOutsideIsTold() throws Exception {
        long start = System.nanoTime();
        ns.ip("address", "add", "10.9.0.1/24", "dev", "va");
        Set<Kind> kinds = next().orElseThrow(() -> new AssertionError("no call for an address"));
        assertTrue(kinds.contains(Kind.ADDRESS), "address: " + kinds);
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos(), "within a second");
        quiet();

        ns.ip("rule", "add", "from", "10.9.0.1", "table", "100");
        assertTrue(next().orElseThrow().contains(Kind.RULE), "rule");
        quiet();

        ns.ip("route", "add", "10.8.0.0/16", "via", "10.9.0.2", "table", "100");
        assertTrue(next().orElseThrow().contains(Kind.ROUTE), "route");
        quiet();

        ns.exec("nft", "add", "table", "inet", "isthmus");
        assertEquals(Set.of(Kind.NFTABLES), next().orElseThrow(), "nftables");
        quiet();
        ns.exec("nft", "add", "set", "inet", "isthmus", "s", "{ type ipv4_addr . inet_service; flags interval; }");
        ns.exec("nft", "add", "element", "inet", "isthmus", "s", "{ 192.168.50.0/24 . 21000-21005 }");
        assertEquals(Set.of(Kind.NFTABLES), next().orElseThrow(), "set and element added");
        quiet();
        // nft 1.0.6 prints only "# new generation" for this one
        ns.exec("nft", "delete", "element", "inet", "isthmus", "s", "{ 192.168.50.0/24 . 21000-21005 }");
        assertEquals(Set.of(Kind.NFTABLES), next().orElseThrow(), "interval element deleted");
        quiet();
        ns.exec("nft", "flush", "ruleset");
        assertEquals(Set.of(Kind.NFTABLES), next().orElseThrow(), "flush ruleset");
    }

    @Test
    void aBurstIsOneCallNotOnePerEvent() throws Exception {
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            batch.append("route add 10.7.").append(i).append(".0/24 dev va table 200\n");
        }
        java.nio.file.Path file = java.nio.file.Files.createTempFile("routes", ".batch");
        try {
            java.nio.file.Files.writeString(file, batch);
            ns.ip("-batch", file.toString());
        } finally {
            java.nio.file.Files.delete(file);
        }
        assertTrue(next().orElseThrow().contains(Kind.ROUTE));
        List<Set<Kind>> more = new ArrayList<>();
        Set<Kind> k;
        while ((k = calls.poll(500, TimeUnit.MILLISECONDS)) != null) {
            more.add(k);
        }
        assertTrue(more.size() <= 2, "50 routes in one batch, coalesced: " + (more.size() + 1) + " calls");
    }

    @Test
    void nothingChangesNothingIsTold() throws Exception {
        ns.ip("-j", "route", "show", "table", "all"); // reads are no events
        ns.exec("nft", "list", "ruleset");
        assertEquals(null, calls.poll(1, TimeUnit.SECONDS));
    }

    @Test
    void kindsOfMonitorLines() {
        assertEquals(Optional.of(Kind.ADDRESS), StateMonitor.ipKind("[ADDR]2: va    inet 10.9.0.1/24 scope global va"));
        assertEquals(Optional.of(Kind.ROUTE), StateMonitor.ipKind("[ROUTE]Deleted 10.8.0.0/16 via 10.9.0.2 dev va"));
        assertEquals(Optional.of(Kind.RULE), StateMonitor.ipKind("[RULE]32765:\tfrom 10.9.0.1 lookup 100"));
        assertEquals(Optional.of(Kind.NFTABLES), StateMonitor.nftKind("delete table inet isthmus"));
        assertEquals(Optional.of(Kind.NFTABLES), StateMonitor.nftKind("# new generation 4 by process 18969 (nft)"));
        assertEquals(Optional.empty(), StateMonitor.nftKind(""));
    }
}
