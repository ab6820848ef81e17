package io.isthmus.firewall;

import io.isthmus.api.config.ApplyException;
import io.isthmus.api.config.ApplyTimeout;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.ReconcileWorker;
import io.isthmus.api.config.SectionApplier;
import io.isthmus.api.firewall.HostOpenings;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.KernelStateListener;
import io.isthmus.api.linux.Nftables;
import io.isthmus.api.linux.TableReplace;
import io.isthmus.api.mgmt.EventPublisher;
import io.isthmus.api.mgmt.EventRelay;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Keeps {@code table inet isthmus} equal to {@link FirewallPlan}: on every document, on every nftables event
 * (drift: {@code nft monitor} through the linux bundle; our own writes end in one pass that finds the table as
 * written) and every {@link #DRIFT_CHECK} anyway.
 * At activation, before any document, a table that is missing is installed as the boot table (drop all but
 * loopback and established); a table that is there (a previous run, the previous version of this bundle) stays
 * in force untouched until a document says otherwise. A table already equal to the plan is adopted without a
 * write; one changed from outside is replaced whole and the log says so.
 */
@Component(immediate = true, service = {SectionApplier.class, KernelStateListener.class}, property = {
        SectionApplier.NAME + "=firewall", SectionApplier.AFTER + "=routing"})
public class FirewallReconciler implements SectionApplier, KernelStateListener {
    static final Duration DRIFT_CHECK = Duration.ofSeconds(60);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /**
     * What we last wrote or adopted: its digest, and the digest of its shape as nft lists it without set elements
     * once a drift check has taken it (empty right after a write: the write is not read back on the apply path;
     * until the shape is taken the plan's {@link TableSkeleton} stands for it, and the elements are always checked
     * against the plan's {@link Ruleset#elementDigest}).
     */
    private record Applied(String digest, Optional<String> shape) {
    }

    /** A plan of the table and what it was made from: the document (none: the boot table) and the openings. */
    private record Plan(Optional<NetworkDocument> doc, int openings, Ruleset ruleset) {
    }

    private final Nftables nft;
    private final Logger log;
    private final ReconcileWorker worker;
    /** How long an apply or preview may take on the worker: {@link ApplyTimeout}. */
    private final Duration applyTimeout;
    private volatile Optional<NetworkDocument> document = Optional.empty();
    /** The management agent, when it runs: drift repairs become {@code evt/firewall} events. */
    private final EventRelay events = new EventRelay();
    /** Worker thread only. */
    private Optional<Applied> applied = Optional.empty();
    /**
     * The plan of the current document, worker thread only: made once per document, not on every drift check.
     * Only its digests are kept; a repair makes the table again (a table of 10,000 conduits is a megabyte of text).
     */
    private Optional<Plan> plan = Optional.empty();
    /** The services on the box that need host-input openings. */
    private final HostOpeningProviders openings = new HostOpeningProviders();

    @Activate
    public FirewallReconciler(@Reference(name = "nftables") Nftables nft,
            @Reference(name = "log", service = LoggerFactory.class) Logger log, BundleContext context) {
        this(nft, log, ApplyTimeout.of(context, log::error));
    }

    FirewallReconciler(Nftables nft, Logger log, Duration applyTimeout) {
        this.nft = nft;
        this.log = log;
        this.applyTimeout = applyTimeout;
        this.worker = new ReconcileWorker("firewall", this::reconcile, DRIFT_CHECK, log::warn);
        try {
            // synchronously: the boot table is in place before activation returns, so before drivers bring ports up
            worker.call(() -> {
                reconcile();
                return null;
            }, applyTimeout);
        } catch (ApplyException e) {
            log.error("firewall: no table at start: " + e.getMessage());
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindEvents(EventPublisher publisher) {
        events.bind(publisher);
    }

    void unbindEvents(EventPublisher publisher) {
        events.unbind(publisher);
    }

    /** A service that needs openings came: the table is planned again (and rewritten if it changed). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindOpenings(HostOpenings provider) {
        openings.add(provider);
        worker.request();
    }

    void unbindOpenings(HostOpenings provider) {
        openings.remove(provider);
        worker.request();
    }

    @Deactivate
    void deactivate() {
        // the table stays in force while we are away; the next version adopts it
        worker.close();
    }

    @Override
    public void kernelChanged(Set<Kind> kinds) {
        if (kinds.contains(Kind.NFTABLES)) {
            worker.request();
        }
    }

    @Override
    public void apply(NetworkDocument doc) throws ApplyException {
        worker.apply(() -> document = Optional.of(doc), applyTimeout);
    }

    @Override
    public List<String> preview(NetworkDocument doc) throws ApplyException {
        return worker.call(() -> {
            // kept: the apply that follows a preview is usually of the same document
            Ruleset r = known(Optional.of(doc)).orElseGet(() -> made(Optional.of(doc), o -> {
            }));
            boolean same = applied.map(a -> a.digest().equals(r.digest())).orElse(false);
            return same ? List.<String>of() : List.of("replace table inet " + Nft.TABLE + " with " + r);
        }, applyTimeout);
    }

    /**
     * Runs on the worker thread only. A new plan streams into nft as it is made, and is committed unless it turns out
     * to be the table in force (then nft is stopped before the end of the batch, and nothing is written); nothing is
     * read back after the write. Drift checks, and the first pass of this instance (adopt or not), list the table.
     */
    private void reconcile() throws KernelException {
        long start = System.nanoTime();
        long cpu = THREADS.getCurrentThreadCpuTime();
        Optional<NetworkDocument> doc = document;
        Optional<String> terse = Optional.empty(); // what is in force, listed only while we do not know it
        if (applied.isEmpty()) {
            terse = nft.listTableTerse(Nft.TABLE);
            if (doc.isEmpty() && terse.isPresent()) {
                return; // no document yet and a table of an earlier run in force: keep it
            }
        }
        Optional<Ruleset> known = known(doc);
        if (known.isEmpty()) {
            Ruleset made;
            try (TableReplace batch = nft.startReplace(Nft.TABLE)) {
                made = made(doc, batch::add);
                long planned = System.nanoTime();
                boolean wasApplied = applied.isPresent();
                if (wasApplied ? !applied.get().digest().equals(made.digest()) : !adopted(made, terse)) {
                    commit(batch, made, Optional.empty(), start, planned, cpu);
                    return;
                }
                if (!wasApplied) {
                    return; // adopted
                }
            } // the table in force: closing the batch stopped nft before the end, nothing was written
            known = Optional.of(made);
        }
        Ruleset r = known.orElseThrow();
        if (applied.filter(a -> a.digest().equals(r.digest())).isPresent()) {
            Optional<String> drift = drift(r, applied.get());
            if (drift.isEmpty()) {
                return;
            }
            log.warn("firewall: table inet " + Nft.TABLE + " was " + drift.get() + " from outside; restoring " + r);
            events.publish("firewall", Map.of("drift", drift.get(), "restored", r.digest(), "rules", r.rules()),
                    EventPublisher.Priority.HIGH);
        } else if (applied.isEmpty() && adopted(r, terse)) {
            return;
        }
        Optional<String> shape = applied.filter(a -> a.digest().equals(r.digest())).flatMap(Applied::shape);
        try (TableReplace batch = nft.startReplace(Nft.TABLE)) {
            Ruleset again = made(doc, batch::add);
            commit(batch, again, shape, start, System.nanoTime(), cpu);
        }
    }

    /**
     * Whether the table in force, listed before the plan was made, is the plan's (its digest, skeleton and set
     * elements): then it is adopted without a write (a restart, an update of this bundle). Logs why not otherwise.
     */
    private boolean adopted(Ruleset r, Optional<String> terse) throws KernelException {
        String why = terse.isEmpty() ? "no table"
                : !terse.flatMap(Ruleset::digestIn).equals(Optional.of(r.digest()))
                        ? "ruleset " + terse.flatMap(Ruleset::digestIn).orElse("of someone else")
                        : !TableSkeleton.of(terse.get()).equals(r.skeleton()) ? "its rules changed from outside"
                                : !elementsAsPlanned(r) ? "its set elements changed from outside" : "";
        if (why.isEmpty()) {
            applied = Optional.of(new Applied(r.digest(), Optional.of(TableListing.shapeDigest(terse.get()))));
            log.info("firewall: " + r + " already in force; adopted");
            return true;
        }
        if (terse.isPresent()) {
            log.info("firewall: table inet " + Nft.TABLE + " in force (" + why + ") is not " + r + "; replacing it");
        }
        return false;
    }

    /**
     * How the table differs from what we wrote, if it does: its chains, rules and sets against the plan's skeleton,
     * its shape (the cheap terse listing) against the one the first check after the write took, then its sets'
     * elements against the plan. The first check after a write takes that shape.
     */
    private Optional<String> drift(Ruleset r, Applied a) throws KernelException {
        Optional<String> terse = nft.listTableTerse(Nft.TABLE);
        if (terse.isEmpty()) {
            return Optional.of("removed");
        }
        String shape = TableListing.shapeDigest(terse.get());
        if (!TableSkeleton.of(terse.get()).equals(r.skeleton()) || !a.shape().orElse(shape).equals(shape)
                || !elementsAsPlanned(r)) {
            return Optional.of("changed");
        }
        if (a.shape().isEmpty()) {
            applied = Optional.of(new Applied(a.digest(), Optional.of(shape)));
        }
        return Optional.empty();
    }

    /** The full listing, only for the elements: nothing else in it is needed. */
    private boolean elementsAsPlanned(Ruleset r) throws KernelException {
        return nft.listTable(Nft.TABLE).map(TableListing::elementDigest).equals(Optional.of(r.elementDigest()));
    }

    /** The plan of what the table should be for {@code doc}, if it was made since the document or openings came. */
    private Optional<Ruleset> known(Optional<NetworkDocument> doc) {
        int generation = openings.generation();
        return plan.filter(p -> p.openings() == generation && (p.doc().isEmpty() ? doc.isEmpty()
                : doc.isPresent() && p.doc().get() == doc.get())).map(Plan::ruleset);
    }

    /** Makes the plan for {@code doc} (none: the boot table), each object handed to {@code sink}, and keeps it. */
    private Ruleset made(Optional<NetworkDocument> doc, Consumer<String> sink) {
        int generation = openings.generation();
        Ruleset r = doc.map(d -> FirewallPlan.write(d, openings.openings(d), sink))
                .orElseGet(() -> FirewallPlan.boot(sink));
        plan = Optional.of(new Plan(doc, generation, r));
        return r;
    }

    /**
     * Ends the batch {@code r} streamed into and logs the whole time (from {@code start}: the pass's start), the
     * plan's within it (until {@code planned}) and the CPU time of this thread (from {@code cpu}: its CPU time at the
     * start; nft's own is not in it). {@code shape}: what the table read back as the last time this ruleset was in
     * force (a repair), kept as the baseline of drift checks; empty after a new ruleset, whose first drift check
     * takes it.
     */
    private void commit(TableReplace batch, Ruleset r, Optional<String> shape, long start, long planned, long cpu)
            throws KernelException {
        batch.commit();
        applied = Optional.of(new Applied(r.digest(), shape));
        log.info("firewall: applied " + r + " in " + (System.nanoTime() - start) / 1_000_000 + " ms (plan "
                + (planned - start) / 1_000_000 + " ms, streamed into nft as it was made; worker CPU "
                + (THREADS.getCurrentThreadCpuTime() - cpu) / 1_000_000 + " ms)");
    }
}
