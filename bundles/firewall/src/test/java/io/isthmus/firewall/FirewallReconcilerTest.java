package io.isthmus.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.config.ApplyException;
import io.isthmus.api.config.ApplyTimeout;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.linux.KernelStateListener.Kind;
import io.isthmus.api.linux.Nftables;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.BundleContext;
import org.osgi.service.log.Logger;

/**
 * Drift repair against a change that comes between the repair's write and its read-back. Those are two nft
 * calls a few milliseconds apart, so the table here is the test's own stand-in for the kernel's, which can make
 * the change exactly there every time; the repair of the kernel's real table is FirewallSystemIT's.
 */
@Timeout(20)
class FirewallReconcilerTest {
    /** {@code nft add rule inet isthmus forward accept}, as nft -j lists it. */
    static final String OUTSIDE_RULE = "{\"rule\": {\"family\": \"inet\", \"table\": \"isthmus\", \"chain\": \"forward\","
            + " \"handle\": 99, \"expr\": [{\"accept\": null}]}}";

    /** The table as nft lists it: what was written, plus what was changed from outside. */
    static final class Table implements Nftables {
        private final AtomicReference<Optional<String>> objects = new AtomicReference<>(Optional.empty());
        private final AtomicReference<Runnable> afterNextWrite = new AtomicReference<>(() -> {
        });
        private final AtomicLong writes = new AtomicLong();

        /** Synchronized with the listing: the test's poll never sees a write without the change made right after it. */
        @Override
        public synchronized void replaceTable(String table, String objects) {
            this.objects.set(Optional.of(objects.strip()));
            writes.incrementAndGet();
            afterNextWrite.getAndSet(() -> {
            }).run();
        }

        @Override
        public synchronized Optional<String> listTable(String table) {
            return objects.get().map(o -> "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}}, "
                    + o.substring(1) + "}");
        }

        /** The test's table has no set elements, so its terse listing is the full one. */
        @Override
        public Optional<String> listTableTerse(String table) {
            return listTable(table);
        }

        @Override
        public long writes() {
            return writes.get();
        }

        void flushRuleset() {
            objects.set(Optional.empty());
        }

        void addOutsideRule() {
            objects.updateAndGet(o -> o.map(a -> a.substring(0, a.lastIndexOf(']')) + ", " + OUTSIDE_RULE + "]"));
        }
    }

    static Logger quiet() {
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, method, args) -> method.getName().startsWith("is") ? false : null);
    }

    @Test
    void aRuleAddedFromOutsideBetweenTheRepairsWriteAndItsReadBackIsRemovedToo() throws Exception {
        Table kernel = new Table();
        FirewallReconciler firewall = new FirewallReconciler(kernel, quiet(), ApplyTimeout.DEFAULT);
        try {
            firewall.apply(Docs.lab(Docs.firewall(List.of(Docs.conduit("dmz", "uplink", "any", List.of(),
                    List.of())), List.of())));
            String wanted = kernel.listTable("isthmus").orElseThrow();

            kernel.flushRuleset(); // nft flush ruleset
            kernel.afterNextWrite.set(() -> {
                kernel.addOutsideRule(); // right after the repair's write, before its read-back
                firewall.kernelChanged(Set.of(Kind.NFTABLES)); // and its event, while the repair still runs
            });
            firewall.kernelChanged(Set.of(Kind.NFTABLES));

            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!kernel.listTable("isthmus").equals(Optional.of(wanted)) && System.nanoTime() < deadline) {
                Thread.sleep(20); // polling the stand-in's table
            }
            assertTrue(kernel.listTable("isthmus").equals(Optional.of(wanted)), "the outside rule is gone again: "
                    + (kernel.listTable("isthmus").orElse("(no table)").contains("\"handle\": 99") ? "it is still there"
                            : "the table is something else"));
            long writes = kernel.writes();
            firewall.kernelChanged(Set.of(Kind.NFTABLES)); // a later event: the table is as written, no write
            Thread.sleep(300); // a window to see that nothing is written in, not synchronisation
            assertEquals(writes, kernel.writes());
            assertTrue(writes <= 4, "boot table, document, repair, repair of the repair: " + writes);
        } finally {
            firewall.deactivate();
        }
    }

    /**
     * A table with this document's digest in force, but with a rule added from outside while the gateway was away,
     * is not adopted at the next start: it is rewritten (the stamp and the set elements alone were checked, so the
     * outside rule stayed in force).
     */
    @Test
    void aTableChangedFromOutsideWhileTheGatewayWasAwayIsRewrittenNotAdopted() throws Exception {
        Table kernel = new Table();
        NetworkDocument doc = Docs.lab(Docs.firewall(List.of(Docs.conduit("dmz", "uplink", "any", List.of(),
                List.of())), List.of()));
        FirewallReconciler before = new FirewallReconciler(kernel, quiet(), ApplyTimeout.DEFAULT);
        before.apply(doc);
        before.deactivate();
        String wanted = kernel.listTable("isthmus").orElseThrow();
        kernel.addOutsideRule();
        long writes = kernel.writes();

        FirewallReconciler after = new FirewallReconciler(kernel, quiet(), ApplyTimeout.DEFAULT);
        try {
            after.apply(Docs.lab(Docs.firewall(List.of(Docs.conduit("dmz", "uplink", "any", List.of(), List.of())),
                    List.of())));
            assertEquals(Optional.of(wanted), kernel.listTable("isthmus"), "the outside rule is gone");
            assertEquals(writes + 1, kernel.writes());
        } finally {
            after.deactivate();
        }
    }

    /** Another document that makes the same table (another section changed) writes nothing. */
    @Test
    void aNewDocumentWithTheSameTableWritesNothing() throws Exception {
        Table kernel = new Table();
        FirewallReconciler firewall = new FirewallReconciler(kernel, quiet(), ApplyTimeout.DEFAULT);
        try {
            firewall.apply(Docs.lab(Docs.firewall(List.of(Docs.conduit("dmz", "uplink", "tcp", List.of("80"),
                    List.of())), List.of())));
            long writes = kernel.writes();
            firewall.apply(Docs.lab(Docs.firewall(List.of(Docs.conduit("dmz", "uplink", "tcp", List.of("80"),
                    List.of())), List.of())));
            assertEquals(writes, kernel.writes());
        } finally {
            firewall.deactivate();
        }
    }

    /** A framework whose only properties are these (the reconciler reads nothing else from its context). */
    static BundleContext framework(Map<String, String> properties) {
        return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> method.getName().equals("getProperty")
                        ? properties.get((String) args[0]) : null);
    }

    /**
     * The deadline of an apply is the framework property isthmus.apply.timeoutMs: a document whose nft write takes
     * 1.5 s (an emulated gateway's first write, scaled down) fails the apply (the config service rolls it back) with
     * 1000 ms, and is applied with 10000 ms.
     */
    @Test
    void theApplyDeadlineIsTheFrameworkPropertyIsthmusApplyTimeoutMs() throws Exception {
        NetworkDocument doc = Docs.lab(Docs.firewall(List.of(Docs.conduit("dmz", "uplink", "any", List.of(),
                List.of())), List.of()));
        for (String ms : List.of("1000", "10000")) {
            Table kernel = new Table();
            FirewallReconciler firewall = new FirewallReconciler(kernel, quiet(),
                    framework(Map.of("isthmus.apply.timeoutMs", ms)));
            try {
                kernel.afterNextWrite.set(() -> {
                    try {
                        Thread.sleep(1500); // a slow nft, not synchronisation
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                if (ms.equals("1000")) {
                    ApplyException e = assertThrows(ApplyException.class, () -> firewall.apply(doc));
                    assertEquals("firewall: no answer within 1 s", e.getMessage());
                } else {
                    firewall.apply(doc);
                    assertTrue(kernel.listTable("isthmus").orElseThrow().contains("dmz"));
                }
            } finally {
                firewall.deactivate();
            }
        }
    }
}
