package io.isthmus.deploy;

import io.isthmus.api.config.ManagementConfig;
import io.isthmus.state.StoreEntry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.osgi.framework.BundleException;
import org.osgi.service.log.Logger;

/**
 * Runs accepted jobs on worker threads: receives (the rest of) the jar, verifies it, hands it to {@link BundleChange}
 * (change, health window, commit or restore); after a restart, resumes transfers and settles what was interrupted.
 */
final class JobRunner {
    /** Receives (the rest of) the jar; null for a job that has nothing to receive. */
    interface JarSource {
        Path get() throws IOException, InterruptedException, Refused;
    }

    private final Deployer.Config config;
    private final Logger log;
    private final Store store;
    private final JobBook book;
    private final BundleChange change;
    private final JarVerifier verifier;
    private final InstalledBundles bundles;
    private final JobRecorder recorder;
    private final Supplier<Optional<ManagementConfig.Proxy>> proxy;
    private final ExecutorService workers;
    private final Set<String> processing = ConcurrentHashMap.newKeySet();

    JobRunner(Deployer.Config config, Logger log, Store store, JobBook book, BundleChange change, JarVerifier verifier,
            InstalledBundles bundles, JobRecorder recorder, Supplier<Optional<ManagementConfig.Proxy>> proxy) {
        this.config = config;
        this.log = log;
        this.store = store;
        this.book = book;
        this.change = change;
        this.verifier = verifier;
        this.bundles = bundles;
        this.recorder = recorder;
        this.proxy = proxy;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "isthmus-deploy-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    void stop() {
        workers.shutdownNow();
    }

    /** Downloads the job's URL on a worker, then processes it. */
    void startDownload(Job job) {
        workers.execute(() -> download(job));
    }

    /** Processes the job on a worker. */
    void start(Job job, JarSource source) {
        processing.add(job.id);
        workers.execute(() -> process(job, source));
    }

    /** Processes the job on a worker unless it is being processed already (its last chunk came twice). */
    void startOnce(Job job, JarSource source) {
        if (processing.add(job.id)) {
            workers.execute(() -> process(job, source));
        }
    }

    /** Puts back or completes the changes the store still has as pending (a restart in the middle of one). */
    void recoverPending() {
        for (StoreEntry pending : store.entries().values()) {
            if (pending.pending().isPresent()) {
                workers.execute(() -> {
                    try {
                        change.recover(pending);
                    } catch (IOException e) {
                        log.error("deploy: cannot clear the pending change of " + pending.bsn() + ": " + e, e);
                    }
                });
            }
        }
    }

    private void download(Job job) {
        processing.add(job.id);
        process(job, () -> {
            Job.Url url = (Job.Url) job.source;
            UrlTransfer t;
            try {
                t = new UrlTransfer(verifier.trust(config.httpsTrustStore(), "https-trusted"),
                        Duration.ofMillis(config.downloadTimeoutMs()), proxy.get());
            } catch (java.security.GeneralSecurityException e) {
                throw new Refused("HTTPS trust store unusable: " + e.getMessage());
            }
            return t.fetch(URI.create(url.url()), job.size, store.incoming(job.id), n -> {
                job.progress(n, List.of());
                recorder.publish(job, false);
            });
        });
    }

    /** Receive (the rest of) the jar, verify, change, watch, commit or restore. On a worker thread. */
    private void process(Job job, JarSource source) {
        try {
            Path jar = source.get();
            if (job.kind == Job.Kind.install || job.kind == Job.Kind.update) {
                recorder.transition(job, Job.State.verifying);
                Candidate c = verifier.verify(job, jar);
                change.run(job, Optional.of(c), bundles.installed(c.symbolicName()));
            } else {
                change.run(job, Optional.empty(), Optional.of(bundles.find(job.bundle)));
            }
        } catch (Refused e) {
            recorder.end(job, Job.State.rejected, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopping: the launcher puts the committed jar back at next boot
        } catch (BadInput e) {
            recorder.end(job, Job.State.rejected, e.getMessage());
        } catch (IOException | BundleException | RuntimeException e) {
            log.error("deploy: job " + job.id + " failed: " + e, e);
            recorder.end(job, Job.State.failed, String.valueOf(e.getMessage()));
        } finally {
            processing.remove(job.id);
            recorder.forget(job);
            if (job.state().terminal()) {
                store.dropIncoming(job.id);
            }
        }
    }

    /**
     * After a restart: transfers pick up where they were (inline chunks stay, downloads resume); a job that was
     * past receiving was interrupted, and the launcher has already booted the committed jar — the store says which.
     */
    void resumeAfterRestart() {
        for (Job job : book.unfinished()) {
            if (job.state() == Job.State.receiving) {
                if (job.source instanceof Job.Url) {
                    workers.execute(() -> download(job));
                } else if (job.source instanceof Job.Inline in) {
                    try {
                        InlineTransfer t = new InlineTransfer(store.incoming(job.id), job.size, in.chunkSize());
                        job.progress(t.bytes(), t.missing(InlineTransfer.MAX_MISSING_LISTED));
                        if (t.complete() && processing.add(job.id)) {
                            workers.execute(() -> process(job, t::assemble));
                        }
                    } catch (IOException e) {
                        recorder.end(job, Job.State.failed, "incoming chunks unreadable after restart: "
                                + e.getMessage());
                    }
                }
                continue;
            }
            Optional<StoreEntry> entry = store.entries().values().stream().filter(e -> e.bsn().equals(job.bundle))
                    .findFirst();
            boolean landed = job.kind == Job.Kind.uninstall ? entry.isEmpty() && bundles.installed(job.bundle).isEmpty()
                    : entry.flatMap(StoreEntry::current).map(StoreEntry.JarRef::sha256)
                            .equals(job.sha256.or(() -> Optional.of("?")));
            if (landed) {
                recorder.end(job, Job.State.committed, "committed before the gateway restarted");
            } else {
                recorder.end(job, Job.State.failed, "interrupted by a restart during " + job.state() + "; it runs the "
                        + "committed version " + entry.flatMap(StoreEntry::current).map(StoreEntry.JarRef::version)
                                .orElse("(none: not installed)"));
            }
        }
    }
}
