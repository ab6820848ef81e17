package io.isthmus.ctl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A staged rollout: canaries first (every one must commit), then waves, devices of a wave in parallel. When the
 * failures cross the plan's budget no further device is started, the devices this rollout committed are rolled
 * back and the pending ones' retained requests withdrawn. What a device job is lies behind {@link DeviceAction}.
 */
final class Rollout {
    /** One device's part: run the job, undo a committed one, withdraw a pending one. */
    interface DeviceAction {
        DeviceResult run(String device, String phase) throws InterruptedException;

        DeviceResult revert(DeviceResult committed) throws InterruptedException;

        DeviceResult cancel(DeviceResult pending) throws InterruptedException;
    }

    /** The final word: every device's result in plan order, and why the rollout stopped, if it did. */
    record Report(List<DeviceResult> results, Optional<String> stopReason) {
        boolean allCommitted() {
            return results.stream().allMatch(r -> r.outcome() == Outcome.COMMITTED);
        }

        long count(Outcome o) {
            return results.stream().filter(r -> r.outcome() == o).count();
        }

        /** 0 every device committed, 11 stopped at the failure threshold (and rolled back), 10 otherwise. */
        int exitCode() {
            return allCommitted() ? 0 : stopReason.isPresent() ? 11 : 10;
        }
    }

    private final RolloutPlan plan;
    private final DeviceAction action;
    private final int parallel;
    private final java.util.function.Consumer<DeviceResult> listener;
    private final Map<String, DeviceResult> results = new LinkedHashMap<>();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicReference<String> stop = new AtomicReference<>();

    /**
     * @param done results of an earlier run of the same rollout (its journal): committed devices are not run again
     * @param listener told of every new or changed device result (journal, progress)
     */
    Rollout(RolloutPlan plan, DeviceAction action, int parallel, Map<String, DeviceResult> done,
            java.util.function.Consumer<DeviceResult> listener) {
        this.plan = plan;
        this.action = action;
        this.parallel = Math.max(1, parallel);
        this.listener = listener;
        plan.canaries().forEach(d -> results.put(d, null));
        plan.waves().forEach(w -> w.forEach(d -> results.put(d, null)));
        done.forEach((d, r) -> {
            if (results.containsKey(d) && r.outcome() == Outcome.COMMITTED) {
                results.put(d, r);
            }
        });
    }

    Report run() throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "rollout");
            t.setDaemon(true);
            return t;
        });
        try {
            runPhase(pool, "canary", plan.canaries(), false);
            plan.canaries().stream().map(this::resultOf).filter(r -> r.outcome() != Outcome.COMMITTED).findFirst()
                    .ifPresent(r -> stop.compareAndSet(null, "canary " + r.device() + " did not commit ("
                            + r.outcome().word + r.reason().map(x -> ": " + x).orElse("") + ")"));
            for (int i = 0; i < plan.waves().size(); i++) {
                runPhase(pool, "wave " + (i + 1), plan.waves().get(i), true);
            }
            if (stop.get() != null) {
                undo(pool);
            }
        } finally {
            pool.shutdownNow();
        }
        return new Report(snapshot(), Optional.ofNullable(stop.get()));
    }

    private void runPhase(ExecutorService pool, String phase, List<String> devices, boolean budgeted)
            throws InterruptedException {
        List<Future<?>> running = new ArrayList<>();
        for (String d : devices) {
            if (resultOf(d) != null) {
                continue; // committed in an earlier run
            }
            running.add(pool.submit(() -> {
                DeviceResult r = stop.get() != null
                        ? DeviceResult.of(d, phase, Outcome.NOT_STARTED, "rollout stopped: " + stop.get())
                        : action.run(d, phase);
                if (r.outcome().isFailure()) {
                    int f = failures.incrementAndGet();
                    if (budgeted && plan.budget().exceeded(f, plan.size())) {
                        stop.compareAndSet(null, f + " of " + plan.size() + " devices failed, more than the "
                                + "rollout allows (last: " + d + " " + r.outcome().word + ")");
                    }
                }
                record(r);
                return null;
            }));
        }
        awaitAll(running);
    }

    /** Rolls back every device this rollout committed and withdraws the pending ones' jobs. */
    private void undo(ExecutorService pool) throws InterruptedException {
        List<Future<?>> running = new ArrayList<>();
        for (DeviceResult r : snapshot()) {
            if (r.outcome() == Outcome.COMMITTED) {
                running.add(pool.submit(() -> {
                    record(action.revert(r));
                    return null;
                }));
            } else if (r.outcome() == Outcome.PENDING) {
                running.add(pool.submit(() -> {
                    record(action.cancel(r));
                    return null;
                }));
            }
        }
        awaitAll(running);
    }

    private synchronized DeviceResult resultOf(String device) {
        return results.get(device);
    }

    private synchronized List<DeviceResult> snapshot() {
        return results.values().stream().filter(java.util.Objects::nonNull).toList();
    }

    private synchronized void record(DeviceResult r) {
        results.put(r.device(), r);
        listener.accept(r);
    }

    private static void awaitAll(List<Future<?>> running) throws InterruptedException {
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("device job failed unexpectedly", e.getCause());
            }
        }
    }
}
