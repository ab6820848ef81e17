package io.isthmus.api.config;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.annotation.versioning.ConsumerType;
import org.osgi.annotation.versioning.ProviderType;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The one thread a reconciling capability does all its kernel work on: document applies (waited for, so
 * the config service learns whether they worked), event-driven reconciles and the periodic drift check never
 * interleave. A failed background reconcile is reported once per distinct problem, not once a second.
 */
@ProviderType
public final class ReconcileWorker implements AutoCloseable {

    /** One reconcile pass. */
    @FunctionalInterface
    @ConsumerType
    public interface Pass {
        void run() throws Exception;
    }

    private final String name;
    private final Pass pass;
    private final Consumer<String> warn;
    private final ScheduledExecutorService executor;
    private final Supplier<Duration> drift;
    private String lastProblem = "";
    /** A requested pass is queued and has not started yet: further requests join it. */
    private final java.util.concurrent.atomic.AtomicBoolean requested = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param name  for thread names and messages, e.g. {@code routing}
     * @param pass  the reconcile pass
     * @param drift how often to reconcile anyway, to repair changes made from outside
     * @param warn  where background failures go (the component's logger)
     */
    public ReconcileWorker(String name, Pass pass, Duration drift, Consumer<String> warn) {
        this(name, pass, () -> drift, warn);
    }

    /**
     * @param drift how long after a periodic pass the next one runs, asked after every pass (e.g. shorter while
     *              some feature needs fresh counters): a pass that makes it shorter brings the next one forward
     * @since 1.3
     */
    public ReconcileWorker(String name, Pass pass, Supplier<Duration> drift, Consumer<String> warn) {
        this.name = name;
        this.pass = pass;
        this.warn = warn;
        this.drift = drift;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "isthmus-" + name));
        schedulePeriodic();
    }

    /** The next periodic pass and when it is due (System.nanoTime); worker thread only after construction. */
    private volatile ScheduledFuture<?> periodic;
    private volatile long periodicDue;

    private void schedulePeriodic() {
        long delay = drift.get().toNanos();
        try {
            periodicDue = System.nanoTime() + delay;
            periodic = executor.schedule(this::periodicPass, delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            // closed
        }
    }

    private void periodicPass() {
        periodic = null; // running: not to be moved up by its own pass
        reconcileQuietly();
        schedulePeriodic();
    }

    /** After a pass: when the drift period became shorter than what is left, the next periodic pass moves up. */
    private void bringPeriodicForward() {
        if (periodic != null && System.nanoTime() + drift.get().toNanos() - periodicDue < 0 && periodic.cancel(false)) {
            schedulePeriodic();
        }
    }

    /** Runs {@code step} and then a reconcile pass on the worker, and waits: failures become ApplyExceptions. */
    public void apply(Runnable step, Duration timeout) throws ApplyException {
        call(() -> {
            step.run();
            try {
                pass.run();
            } finally {
                bringPeriodicForward();
            }
            return null;
        }, timeout);
    }

    /** Computes something on the worker (e.g. a dry run that must see a consistent state) and waits for it. */
    public <T> T call(Callable<T> task, Duration timeout) throws ApplyException {
        Future<T> done;
        try {
            done = executor.submit(task);
        } catch (RejectedExecutionException e) {
            throw new ApplyException(name + ": stopping");
        }
        try {
            return done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new ApplyException(name + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            done.cancel(true);
            throw new ApplyException(name + ": no answer within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApplyException(name + ": interrupted");
        }
    }

    /**
     * Reconciles soon, on the worker (an event happened). Requests made before the queued pass starts are one
     * pass: a burst of events costs one pass, not one each.
     */
    public void request() {
        if (requested.compareAndSet(false, true)) {
            execute(() -> {
                requested.set(false);
                reconcileQuietly();
            });
        }
    }

    /** Runs a task on the worker; ignored once closed. */
    public void execute(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException closed) {
            // deactivated: kernel state stays as it is for the next version to adopt
        }
    }

    /** A reconcile pass whose failure is logged, once per distinct problem. Call on the worker only. */
    public void reconcileQuietly() {
        try {
            pass.run();
            bringPeriodicForward();
            lastProblem = "";
        } catch (Exception e) {
            String problem = String.valueOf(e.getMessage());
            if (!problem.equals(lastProblem)) {
                warn.accept(name + ": reconcile failed: " + problem);
                lastProblem = problem;
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
