package io.isthmus.mgmt.dispatch;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs command handlers off the MQTT thread on a bounded pool, with a lane per command: at most
 * {@code perCommand} of one command run at once and at most {@code queuePerCommand} wait. A flood of one command
 * fills only its own lane, so any other command (a {@code status} during the flood) still runs at once.
 */
public final class CommandLanes implements AutoCloseable {
    private static final class Lane {
        int running;
        final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    }

    private final int perCommand;
    private final int queuePerCommand;
    private final ThreadPoolExecutor pool;
    private final Map<String, Lane> lanes = new HashMap<>();

    public CommandLanes(int perCommand, int queuePerCommand, int maxThreads) {
        this.perCommand = Math.max(1, perCommand);
        this.queuePerCommand = Math.max(0, queuePerCommand);
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(0, Math.max(1, maxThreads), 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "isthmus-mgmt-command-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** False when the command's lane (or the whole pool) is full: the caller answers 503. */
    synchronized boolean submit(String command, Runnable task) {
        Lane lane = lanes.computeIfAbsent(command, c -> new Lane());
        if (lane.running < perCommand) {
            try {
                pool.execute(() -> runThenNext(command, task));
            } catch (RejectedExecutionException e) {
                if (lane.running == 0) {
                    lanes.remove(command);
                }
                return false;
            }
            lane.running++;
            return true;
        }
        if (lane.waiting.size() < queuePerCommand) {
            lane.waiting.add(task);
            return true;
        }
        return false;
    }

    synchronized int threads() {
        return pool.getPoolSize();
    }

    private void runThenNext(String command, Runnable task) {
        Runnable next = task;
        while (next != null) {
            try {
                next.run();
            } catch (Throwable e) {
                // the task reports its own failures; a lane must never stall, whatever a task throws (an Error
                // too: a StackOverflowError that escaped here once kept the slot until the next restart)
            }
            next = next(command);
        }
    }

    /** The lane's next waiting task to run on this same thread, or none (then this thread leaves the lane). */
    private synchronized Runnable next(String command) {
        Lane lane = lanes.get(command);
        Runnable next = lane.waiting.poll();
        if (next == null) {
            lane.running--;
            if (lane.running == 0) {
                lanes.remove(command);
            }
        }
        return next;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
