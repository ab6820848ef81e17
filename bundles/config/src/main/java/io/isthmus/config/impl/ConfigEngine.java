package io.isthmus.config.impl;

import io.isthmus.api.config.ApplyException;
import io.isthmus.api.config.Preview;
import java.util.LinkedHashMap;
import java.util.Map;

import io.isthmus.api.config.ApplyResult;
import io.isthmus.api.config.ConfigService;
import io.isthmus.api.config.Generation;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.ValidationError;
import io.isthmus.config.impl.ApplyPipeline.InForce;
import io.isthmus.config.impl.Whiteboard.NamedApplier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The config service without OSGi: one instance per activation. Every apply, rollback, boot and
 * adoption runs on one thread, in the order asked, so documents never interleave.
 */
final class ConfigEngine implements ConfigService, AutoCloseable {
    static final String EMPTY_SOURCE = "empty";
    private static final long STOP_GRACE_MS = 2000;

    private final GenerationStore store;
    private final Validation validation;
    private final ApplyPipeline pipeline;
    private final Whiteboard whiteboard;
    private final EventLog log;
    private final ExecutorService executor;
    private final ExecutorService checkPool;
    private final CompletableFuture<ApplyResult> bootResult = new CompletableFuture<>();
    private final AtomicBoolean bootStarted = new AtomicBoolean();
    /**
     * A boot that ran while capability bundles were still coming back (the config bundle or the DS runtime restarted
     * under a running framework) and found its document unreadable: tried again whenever a reader arrives, until it
     * reads or {@link #READERS_WAIT} has passed. Config thread only.
     */
    private Optional<BootFiles> retryBoot = Optional.empty();
    static final Duration READERS_WAIT = Duration.ofSeconds(30);
    private volatile Settings settings;
    private volatile Thread configThread;

    ConfigEngine(GenerationStore store, DeviceProfile profile, Whiteboard whiteboard, Settings settings, EventLog log) {
        this.whiteboard = whiteboard;
        this.store = store;
        this.settings = settings;
        this.log = log;
        this.validation = new Validation(profile, whiteboard);
        this.executor = Executors.newSingleThreadExecutor(r -> configThread = daemon(r, "isthmus-config"));
        AtomicInteger checkThreads = new AtomicInteger();
        this.checkPool = Executors.newCachedThreadPool(r -> daemon(r, "isthmus-config-check-"
                + checkThreads.incrementAndGet()));
        this.pipeline = new ApplyPipeline(validation, whiteboard, store, new CommitCheckRunner(checkPool),
                () -> this.settings, log);
    }

    void update(Settings newSettings) {
        settings = newSettings;
    }

    @Override
    public List<ValidationError> validate(String json) {
        return validation.validate(json).errors();
    }

    /** On the config thread, so that a dry run sees the state the last apply left, not one half-way. */
    @Override
    public Preview preview(String json) {
        return onConfigThread(() -> {
            Validated validated = validation.validate(json);
            if (validated.document().isEmpty()) {
                return new Preview(validated.errors(), Map.of());
            }
            Map<String, List<String>> changes = new LinkedHashMap<>();
            List<Whiteboard.NamedApplier> appliers;
            try {
                appliers = whiteboard.appliers();
            } catch (ApplyException e) {
                return new Preview(List.of(), Map.of("config", List.of("cannot preview: " + e.getMessage())));
            }
            for (Whiteboard.NamedApplier applier : appliers) {
                try {
                    changes.put(applier.name(), applier.applier().preview(validated.document().get()));
                } catch (ApplyException | RuntimeException e) {
                    changes.put(applier.name(), List.of("cannot preview: " + e.getMessage()));
                }
            }
            return new Preview(List.of(), changes);
        });
    }

    @Override
    public ApplyResult apply(String json, String source) {
        return onConfigThread(() -> pipeline.apply(json, source));
    }

    @Override
    public ApplyResult rollback(long generation, String source) {
        return onConfigThread(() -> store.json(generation).map(json -> pipeline.apply(json, source))
                .orElseGet(() -> new ApplyResult.Rejected(List.of(new ValidationError("", "no generation "
                        + generation + " is kept; kept generations are " + store.history().stream()
                                .map(g -> String.valueOf(g.number())).toList())))));
    }

    @Override
    public Optional<Generation> current() {
        return store.current();
    }

    @Override
    public Optional<NetworkDocument> currentDocument() {
        Optional<Generation> current = store.current();
        if (current.isEmpty()) {
            return Optional.empty();
        }
        long number = current.get().number();
        Optional<InForce> inForce = pipeline.inForce().filter(f -> f.generation().number() == number);
        if (inForce.isPresent() && inForce.get().readers() == whiteboard.readerVersion()) {
            return inForce.map(InForce::document);
        }
        // Read again when the readers changed since (a capability bundle came, went or was updated); while a
        // bundle is away its section does not read, and the document in force is still the one applied.
        return store.json(number).flatMap(json -> validation.validate(json).document())
                .or(() -> inForce.map(InForce::document));
    }

    @Override
    public Optional<String> json(long generation) {
        return store.json(generation);
    }

    @Override
    public List<Generation> history() {
        return store.history();
    }

    @Override
    public CompletionStage<ApplyResult> bootApplied() {
        // A copy, so that no caller can complete the boot result for everyone else.
        return bootResult.copy();
    }

    /** Applies the boot document once; the component calls this when the framework has started. */
    void boot(BootFiles files) {
        boot(files, false);
    }

    /**
     * @param readersMayBeComing the framework was running already (this bundle or the DS runtime restarted): the
     *                           capabilities' readers may register after this, so a document that does not read
     *                           yet is tried again as they come, for at most {@link #READERS_WAIT}
     */
    void boot(BootFiles files, boolean readersMayBeComing) {
        if (!bootStarted.compareAndSet(false, true)) {
            return;
        }
        onConfigThreadLater(() -> {
            ApplyResult result = bootDocument(files);
            if (readersMayBeComing && result instanceof ApplyResult.Rejected rejected) {
                retryBoot = Optional.of(files);
                log.info("config: the boot document does not read yet (" + rejected.errors().stream().findFirst()
                        .map(e -> e.pointer() + ": " + e.message()).orElse("rejected")
                        + "); applied once the capabilities that read it are back");
                CompletableFuture.delayedExecutor(READERS_WAIT.toMillis(), TimeUnit.MILLISECONDS, executor)
                        .execute(() -> retryBoot.ifPresent(f -> {
                            retryBoot = Optional.empty();
                            log.warn("config: the boot document still does not read after " + READERS_WAIT.toSeconds()
                                    + " s; the kernel keeps what it has");
                            bootResult.complete(result);
                        }));
            } else {
                bootResult.complete(result);
            }
        });
    }

    /** A section or kind reader (or a section's validator) arrived: a boot waiting for it is tried again. */
    void readersChanged() {
        onConfigThreadLater(() -> retryBoot.ifPresent(files -> {
            ApplyResult result = bootDocument(files);
            if (!(result instanceof ApplyResult.Rejected)) {
                retryBoot = Optional.empty();
                bootResult.complete(result);
            }
        }));
    }

    private void onConfigThreadLater(Runnable task) {
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("boot apply failed", e);
                    bootResult.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            bootResult.completeExceptionally(new IllegalStateException("config service stopped before boot", e));
        }
    }

    /** A capability appeared: once a document is in force, bring it there too (after anything queued). */
    void adopt(NamedApplier applier) {
        try {
            executor.execute(() -> pipeline.adopt(applier));
        } catch (RejectedExecutionException e) {
            // Stopping: the next activation applies the boot document to every applier anyway.
        }
    }

    /**
     * The launcher's file wins, else the generation in force is re-applied, else the profile default,
     * else an empty document is committed so that there is always a generation to roll back to.
     */
    private ApplyResult bootDocument(BootFiles files) {
        if (files.config().isPresent()) {
            ApplyResult result = applyFile(files.config().get(), "boot:");
            if (result instanceof ApplyResult.Rejected) {
                // A bad --config must not leave the box without the network it had, nor stop it (a service
                // manager would restart it into the same file forever): run what would run without the file.
                ApplyResult instead = bootDocument(new BootFiles(Optional.empty(), files.defaults()));
                log.warn("boot document " + files.config().get() + " rejected; running " + store.current()
                        .map(g -> "generation " + g.number()).orElse("no generation") + " instead ("
                        + instead.getClass().getSimpleName() + ")");
            }
            return result;
        }
        Optional<Generation> current = store.current();
        if (current.isPresent()) {
            return reapply(current.get());
        }
        if (files.defaults().isPresent()) {
            return applyFile(files.defaults().get(), "default:");
        }
        return pipeline.apply("{}", EMPTY_SOURCE);
    }

    private ApplyResult reapply(Generation generation) {
        return store.json(generation.number()).map(json -> pipeline.apply(json, "boot:generation-"
                + generation.number())).orElseGet(() -> new ApplyResult.Rejected(List.of(new ValidationError("",
                        "generation " + generation.number() + " cannot be read"))));
    }

    private ApplyResult applyFile(Path file, String sourcePrefix) {
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            log.warn("cannot read " + file + ": " + describe(e));
            return new ApplyResult.Rejected(List.of(new ValidationError("", file + ": " + describe(e))));
        }
        return pipeline.apply(json, sourcePrefix + file);
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return Failures.describe(e);
    }

    private <T> T onConfigThread(Callable<T> task) {
        if (Thread.currentThread() == configThread) {
            // An applier or check calling back into apply would wait for itself forever.
            throw new IllegalStateException("apply and rollback cannot be called from within an apply");
        }
        Future<T> future;
        try {
            future = executor.submit(task);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the config service is stopped", e);
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the config thread", e);
        } catch (CancellationException e) {
            throw new IllegalStateException("the config service stopped before this ran", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** Lets a running apply finish briefly, then stops; queued requests fail rather than hang. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(STOP_GRACE_MS, TimeUnit.MILLISECONDS)) {
                log.warn("an apply was still running when the config service stopped; interrupting it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow().forEach(queued -> {
            if (queued instanceof Future<?> f) {
                f.cancel(false);
            }
        });
        checkPool.shutdownNow();
        bootResult.completeExceptionally(new IllegalStateException("the config service stopped before the boot "
                + "document was applied"));
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }
}
