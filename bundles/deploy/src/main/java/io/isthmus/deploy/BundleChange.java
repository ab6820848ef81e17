package io.isthmus.deploy;

import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.mgmt.ManagementSession;
import io.isthmus.state.BundleLocation;
import io.isthmus.state.StoreEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.log.Logger;

/**
 * One verified change of one bundle, crash-safe (docs/deploy.md): the jar kept, the change recorded as pending,
 * the framework changed, the health window watched; then the commit — or the committed jar put back, started and
 * watched, and pending cleared. The store's pending record is what the launcher undoes after a crash.
 */
final class BundleChange {
    /** The job's states and outcome as the change goes (events, jobs.json). */
    interface Progress {
        void state(Job job, Job.State state);

        void end(Job job, Job.State outcome, String reason);
    }

    private static final Duration POLL = Duration.ofMillis(100);

    private final BundleContext context;
    private final Store store;
    private final Health health;
    private final Logger log;
    private final Supplier<Optional<NetworkDocument>> document;
    private final Supplier<Optional<ManagementSession>> management;
    private final Duration settle;
    private final Duration brokerProbe;
    private final Progress progress;

    BundleChange(BundleContext context, Store store, Health health, Logger log,
            Supplier<Optional<NetworkDocument>> document, Supplier<Optional<ManagementSession>> management,
            Duration settle, Duration brokerProbe, Progress progress) {
        this.context = context;
        this.store = store;
        this.health = health;
        this.log = log;
        this.document = document;
        this.management = management;
        this.settle = settle;
        this.brokerProbe = brokerProbe;
        this.progress = progress;
    }

    /**
     * The change itself: pending first, then the framework, then the health window; commit or restore.
     * {@code candidate} is empty for rollback (the previous jar) and uninstall (no jar).
     */
    void run(Job job, Optional<Candidate> candidate, Optional<Bundle> existing)
            throws IOException, Refused, BundleException, InterruptedException {
        String location = existing.map(Bundle::getLocation).orElseGet(() -> BundleLocation.field(
                candidate.map(Candidate::symbolicName).orElse(job.bundle)));
        StoreEntry entry = store.entry(location).orElse(null);
        if (entry == null) {
            entry = baseline(location, existing, candidate);
        }
        if (entry.pending().isPresent()) {
            throw new Refused("the store has an unfinished change of " + location + "; restart the gateway");
        }
        Optional<StoreEntry.JarRef> target;
        if (candidate.isPresent()) {
            Candidate c = candidate.get();
            store.keep(c.jar(), c.sha256());
            target = Optional.of(new StoreEntry.JarRef(c.sha256(), c.version().toString()));
        } else if (job.kind == Job.Kind.rollback) {
            target = entry.previous();
        } else {
            target = Optional.empty();
        }
        job.versions(target.map(StoreEntry.JarRef::version), entry.current().map(StoreEntry.JarRef::version));
        // a change made while the gateway was managed must leave it managed: the agent connected again
        boolean managed = management.get().filter(ManagementSession::enabled).map(ManagementSession::connected)
                .orElse(false);
        StoreEntry pending = entry.withPending(Optional.of(new StoreEntry.Pending(job.id, job.kind.name(), target)));
        store.put(pending);
        progress.state(job, Job.State.installing);
        Set<Bundle> watched = new LinkedHashSet<>();
        Bundle bundle = existing.orElse(null);
        try {
            if (target.isEmpty()) {
                bundle.uninstall();
            } else if (bundle == null) {
                bundle = install(location, target.get());
                watched.add(bundle);
                bundle.start();
            } else {
                List<Bundle> closure = job.refresh ? refreshClosure(bundle) : List.of(bundle);
                try (InputStream in = Files.newInputStream(store.jar(target.get().sha256()))) {
                    bundle.update(in);
                }
                if (job.refresh) {
                    refresh(bundle);
                }
                watched.addAll(closure);
                startAll(watched);
            }
        } catch (BundleException | IllegalStateException e) {
            restore(job, entry, location, bundle, watched, "activation failed: " + e.getMessage());
            return;
        }
        progress.state(job, Job.State.health);
        Optional<String> failure = awaitHealthy(watched, job.healthWindow, managed);
        if (failure.isPresent()) {
            restore(job, entry, location, bundle, watched, failure.get());
            return;
        }
        if (target.isEmpty()) {
            store.remove(location);
        } else {
            store.put(entry.committed(target.get()));
        }
        store.collect();
        progress.end(job, Job.State.committed, null);
    }

    /** Puts the committed jar (or nothing, for an install) back, starts it, waits for it, clears pending. */
    private void restore(Job job, StoreEntry entry, String location, Bundle bundle, Set<Bundle> watched,
            String reason) throws IOException, InterruptedException {
        log.warn("deploy: job " + job.id + ": " + reason + "; restoring " + entry.current()
                .map(StoreEntry.JarRef::version).orElse("(none)"));
        try {
            Bundle b = bundle != null && bundle.getState() != Bundle.UNINSTALLED ? bundle : null;
            if (entry.current().isEmpty()) {
                if (b != null) {
                    b.uninstall();
                }
            } else {
                if (b == null) {
                    b = install(location, entry.current().get());
                } else {
                    try (InputStream in = Files.newInputStream(store.jar(entry.current().get().sha256()))) {
                        b.update(in);
                    }
                }
                if (job.refresh) {
                    refresh(b);
                }
                watched.add(b);
                startAll(watched);
                Optional<String> still = awaitHealthy(watched, job.healthWindow, false);
                still.ifPresent(p -> log.error("deploy: " + job.bundle + " is not healthy after the restore either: " + p));
            }
        } catch (BundleException | IllegalStateException e) {
            log.error("deploy: restoring " + job.bundle + " failed: " + e.getMessage(), e);
        }
        if (entry.current().isEmpty()) {
            store.remove(location);
        } else {
            store.put(entry.withPending(Optional.empty()));
        }
        store.collect();
        progress.end(job, Job.State.rolledBack, reason);
    }

    /**
     * The store's first record of a bundle: a distribution bundle keeps its distribution jar as the version to
     * return to; a new field bundle has none.
     */
    private StoreEntry baseline(String location, Optional<Bundle> existing, Optional<Candidate> candidate)
            throws IOException, Refused {
        if (existing.isEmpty()) {
            return new StoreEntry(location, candidate.map(Candidate::symbolicName).orElse(""), StoreEntry.FIELD,
                    Optional.empty(), Optional.empty(), Optional.empty());
        }
        Bundle b = existing.get();
        Path jar = DistributionJars.find(context, location).orElseThrow(() -> new Refused("the running jar of "
                + b.getSymbolicName() + " cannot be found to keep for a rollback (not installed by the "
                + "distribution or through bundle.install)"));
        String sha = Sha256.of(jar);
        store.keep(jar, sha);
        return new StoreEntry(location, b.getSymbolicName(), StoreEntry.DISTRIBUTION,
                Optional.of(new StoreEntry.JarRef(sha, b.getVersion().toString())), Optional.empty(), Optional.empty());
    }

    /**
     * Polls until every watched bundle is healthy and the management broker reachable, together for the settle
     * time; empty on success, else what was still wrong when the window closed.
     */
    private Optional<String> awaitHealthy(Set<Bundle> watched, Duration window, boolean managed)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + window.toNanos();
        long healthySince = -1;
        String last = "not checked";
        while (System.nanoTime() < deadline) {
            Optional<String> p = health.problem(watched);
            long now = System.nanoTime();
            if (p.isPresent()) {
                healthySince = -1;
                last = p.get();
            } else {
                healthySince = healthySince < 0 ? now : healthySince;
                if (now - healthySince >= settle.toNanos()) {
                    long left = Math.max(200, (deadline - now) / 1_000_000);
                    Optional<String> broker = BrokerTcpCheck.check(document.get(),
                            Duration.ofMillis(Math.min(brokerProbe.toMillis(), left)));
                    Optional<String> session = managed ? sessionProblem() : Optional.empty();
                    if (broker.isEmpty() && session.isEmpty()) {
                        return Optional.empty();
                    }
                    last = broker.or(() -> session).get();
                }
            }
            Thread.sleep(POLL.toMillis()); // polling the framework's state against a deadline
        }
        return Optional.of(last + " within " + window.toMillis() + " ms");
    }

    private Optional<String> sessionProblem() {
        Optional<ManagementSession> m = management.get();
        if (m.isEmpty()) {
            return Optional.of("management agent gone (no ManagementSession service)");
        }
        return m.get().connected() ? Optional.empty() : Optional.of("management session not connected");
    }

    /** A field bundle starts with the last start level, after everything it may need. */
    private Bundle install(String location, StoreEntry.JarRef jar) throws IOException, BundleException {
        Bundle b;
        try (InputStream in = Files.newInputStream(store.jar(jar.sha256()))) {
            b = context.installBundle(location, in);
        }
        b.adapt(BundleStartLevel.class).setStartLevel(context.getBundle(0).adapt(FrameworkStartLevel.class)
                .getStartLevel());
        return b;
    }

    /**
     * Starts the changed bundle and, after a refresh, the importers the refresh left stopped (a refresh restarts only
     * the bundles that were active when it began; one that failed to resolve at the previous refresh was not).
     */
    private static void startAll(Set<Bundle> bundles) throws BundleException {
        for (Bundle b : bundles) {
            if (b.getState() != Bundle.ACTIVE && b.getState() != Bundle.UNINSTALLED
                    && b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                b.start();
            }
        }
    }

    List<Bundle> refreshClosure(Bundle b) {
        return new ArrayList<>(context.getBundle(0).adapt(FrameworkWiring.class)
                .getDependencyClosure(List.of(b)));
    }

    private void refresh(Bundle b) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(b),
                e -> done.countDown());
        if (!done.await(30, TimeUnit.SECONDS)) {
            log.warn("deploy: the refresh after updating " + b.getSymbolicName() + " did not finish in 30 s");
        }
    }

    /**
     * A change left pending while the framework kept running (the deploy bundle itself was stopped mid-job; after a
     * reboot the launcher has already done this): the committed jar back, started, pending cleared.
     */
    void recover(StoreEntry entry) throws IOException {
        Bundle b = context.getBundle(entry.location());
        try {
            if (entry.current().isEmpty()) {
                if (b != null) {
                    b.uninstall();
                }
            } else {
                if (b == null) {
                    b = install(entry.location(), entry.current().get());
                } else {
                    try (InputStream in = Files.newInputStream(store.jar(entry.current().get().sha256()))) {
                        b.update(in);
                    }
                }
                b.start();
            }
        } catch (BundleException | IllegalStateException e) {
            log.error("deploy: restoring " + entry.bsn() + " after an interrupted change failed: " + e.getMessage(), e);
        }
        if (entry.current().isEmpty()) {
            store.remove(entry.location());
        } else {
            store.put(entry.withPending(Optional.empty()));
        }
        store.collect();
        log.warn("deploy: an interrupted change of " + entry.bsn() + " was undone; it runs "
                + entry.current().map(StoreEntry.JarRef::version).orElse("(nothing: not installed)"));
    }
}
