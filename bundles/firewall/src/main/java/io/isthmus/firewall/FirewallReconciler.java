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
import io.isthmus.api.mgmt.EventPublisher;
import io.isthmus.api.mgmt.EventRelay;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

    /**
     * What we last wrote or adopted: its digest and the digest of its shape as nft lists it without set elements
     * (the elements are checked against the plan's {@link Ruleset#elementDigest}).
     */
    private record Applied(String digest, String shape) {
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
     * The plan of the current document, worker thread only: made once per document, not on every drift check
     * (a plan of 10,000 conduits is megabytes of garbage and a good part of a second of CPU).
     */
    private Optional<Map.Entry<NetworkDocument, Ruleset>> plan = Optional.empty();
    /** The services on the box that need host-input openings; the plan's generation of them (worker thread). */
    private final HostOpeningProviders openings = new HostOpeningProviders();
    private int planOpenings = -1;

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
            Ruleset r = plan(doc); // kept: the apply that follows a preview is usually of the same document
            boolean same = applied.map(a -> a.digest().equals(r.digest())).orElse(false);
            return same ? List.<String>of() : List.of("replace table inet " + Nft.TABLE + " with " + r);
        }, applyTimeout);
    }

    /**
     * Runs on the worker thread only. A new document is written without listing the table first (it replaces
     * whatever is there); only a drift check and the first pass of this instance (adopt or not) list it.
     */
    private void reconcile() throws KernelException {
        long start = System.nanoTime();
        Optional<String> terse = Optional.empty();
        Optional<Ruleset> wanted = document.map(this::plan);
        if (wanted.isEmpty()) {
            if (applied.isEmpty()) {
                terse = nft.listTableTerse(Nft.TABLE);
                if (terse.isPresent()) {
                    return; // no document yet and a table of an earlier run in force: keep it
                }
            }
            wanted = Optional.of(FirewallPlan.boot());
        }
        Ruleset r = wanted.get();
        long planned = System.nanoTime() - start;
        if (applied.filter(a -> a.digest().equals(r.digest())).isPresent()) {
            Optional<String> drift = drift(r, applied.get());
            if (drift.isEmpty()) {
                return;
            }
            log.warn("firewall: table inet " + Nft.TABLE + " was " + drift.get() + " from outside; restoring " + r);
            events.publish("firewall", Map.of("drift", drift.get(), "restored", r.digest(), "rules", r.rules()),
                    EventPublisher.Priority.HIGH);
        } else if (applied.isEmpty()) {
            if (terse.isEmpty()) {
                terse = nft.listTableTerse(Nft.TABLE);
            }
            if (terse.flatMap(Ruleset::digestIn).equals(Optional.of(r.digest())) && elementsAsPlanned(r)) {
                applied = Optional.of(new Applied(r.digest(), TableListing.shapeDigest(terse.get())));
                log.info("firewall: " + r + " already in force; adopted");
                return;
            }
        }
        write(r, planned);
    }

    /**
     * How the table differs from what we wrote, if it does: its chains, rules and set declarations (the cheap
     * terse listing) against the listing taken right after the write, then its sets' elements against the plan.
     */
    private Optional<String> drift(Ruleset r, Applied a) throws KernelException {
        Optional<String> terse = nft.listTableTerse(Nft.TABLE);
        if (terse.isEmpty()) {
            return Optional.of("removed");
        }
        if (!TableListing.shapeDigest(terse.get()).equals(a.shape()) || !elementsAsPlanned(r)) {
            return Optional.of("changed");
        }
        return Optional.empty();
    }

    /** The full listing, only for the elements: nothing else in it is needed. */
    private boolean elementsAsPlanned(Ruleset r) throws KernelException {
        return nft.listTable(Nft.TABLE).map(TableListing::elementDigest).equals(Optional.of(r.elementDigest()));
    }

    private Ruleset plan(NetworkDocument doc) {
        int generation = openings.generation();
        if (plan.isEmpty() || plan.get().getKey() != doc || planOpenings != generation) {
            plan = Optional.of(Map.entry(doc, FirewallPlan.of(doc, openings.openings(doc))));
            planOpenings = generation;
        }
        return plan.get().getValue();
    }

    /**
     * Logs the nft write's time, and the plan's and the read-back's after it. The read-back is the terse listing
     * (no set elements): the shape later drift checks compare with. nft's exit status says the transaction was
     * committed whole; the elements are checked against the plan by the drift checks, not read back here. A
     * ruleset written again (a repair) must read back in the shape it had: otherwise the table was changed from
     * outside between the write and the read-back, and that change would become the shape drift is measured
     * against. It is then written once more (once: two outside changes within those milliseconds are left to
     * the next event).
     */
    private void write(Ruleset r, long planNanos) throws KernelException {
        Optional<String> shape = applied.filter(a -> a.digest().equals(r.digest())).map(Applied::shape);
        long start = System.nanoTime();
        nft.replaceTable(Nft.TABLE, r.objects());
        long written = System.nanoTime();
        String read = readBack();
        if (shape.isPresent() && !shape.get().equals(read)) {
            log.warn("firewall: table inet " + Nft.TABLE + " was changed from outside while it was being written;"
                    + " restoring " + r);
            nft.replaceTable(Nft.TABLE, r.objects());
            read = readBack();
        }
        applied = Optional.of(new Applied(r.digest(), read));
        log.info("firewall: applied " + r + " in " + (written - start) / 1_000_000 + " ms (plan "
                + planNanos / 1_000_000 + " ms, read-back " + (System.nanoTime() - written) / 1_000_000 + " ms)");
    }

    /** The shape digest of the table as it is now. */
    private String readBack() throws KernelException {
        String listing = nft.listTableTerse(Nft.TABLE).orElseThrow(
                () -> new KernelException("table inet " + Nft.TABLE + " missing right after it was written"));
        return TableListing.shapeDigest(listing);
    }
}
