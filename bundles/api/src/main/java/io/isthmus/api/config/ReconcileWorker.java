package io.isthmus.api.config;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The one thread a reconciling capability does all its kernel work on: document applies (waited for, so
 * the config service learns whether they worked), event-driven reconciles and the periodic drift check never
 * interleave. A failed background reconcile is reported once per distinct problem, not once a second.
 */
public final class ReconcileWorker implements AutoCloseable {

    /** One reconcile pass. */
    @FunctionalInterface
    public interface Pass {
        void run() throws Exception;
    }

    private final String name;
    private final Pass pass;
    private final Consumer<String> warn;
    private final ScheduledExecutorService executor;
    private String lastProblem = "";

    /**
     * @param name  for thread names and messages, e.g. {@code routing}
     * @param pass  the reconcile pass
     * @param drift how often to reconcile anyway, to repair changes made from outside
     * @param warn  where background failures go (the component's logger)
     */
    public ReconcileWorker(String name, Pass pass, Duration drift, Consumer<String> warn) {
        this.name = name;
        this.pass = pass;
        this.warn = warn;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "isthmus-" + name));
        executor.scheduleWithFixedDelay(this::reconcileQuietly, drift.toMillis(), drift.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Runs {@code step} and then a reconcile pass on the worker, and waits: failures become ApplyExceptions. */
    public void apply(Runnable step, Duration timeout) throws ApplyException {
        call(() -> {
            step.run();
            pass.run();
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

    /** Reconciles soon, on the worker (an event happened). */
    public void request() {
        execute(this::reconcileQuietly);
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
