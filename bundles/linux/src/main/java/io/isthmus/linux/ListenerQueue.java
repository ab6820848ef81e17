package io.isthmus.linux;

import io.isthmus.api.linux.Link;
import io.isthmus.api.linux.LinkListener;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;

/** One listener's own delivery thread: a slow listener delays only itself, and sees events in order. */
final class ListenerQueue {
    private final LinkListener listener;
    private final ExecutorService executor;
    private final BiConsumer<String, RuntimeException> onError;

    ListenerQueue(LinkListener listener, String threadName, BiConsumer<String, RuntimeException> onError) {
        this.listener = listener;
        this.onError = onError;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    void deliver(String device, Optional<Link> now) {
        submit(() -> {
            try {
                listener.linkChanged(device, now);
            } catch (RuntimeException e) {
                onError.accept(device, e);
            }
        });
    }

    /** Runs a task on the listener's thread, in order with its events (the initial state on bind). */
    void submit(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException closed) {
            // the listener went away meanwhile
        }
    }

    void close() {
        executor.shutdownNow();
    }
}
