package io.isthmus.linux;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Watches a daemon's first run: done when it prints its ready line, failed (with its last lines) when it ends
 * first; afterwards counts its ends (restarts). Passes everything on to the daemon's usual handler.
 */
final class StartupWatch implements SupervisedProcess.Handler {
    private static final int KEEP = 4;

    private final SupervisedProcess.Handler next;
    private final Predicate<String> readyLine;
    private final Deque<String> last = new ArrayDeque<>();
    private final CompletableFuture<Void> result = new CompletableFuture<>();
    private volatile int ends;

    StartupWatch(SupervisedProcess.Handler next, Predicate<String> readyLine) {
        this.next = next;
        this.readyLine = readyLine;
    }

    CompletableFuture<Void> result() {
        return result;
    }

    @Override
    public void started() {
        next.started();
        synchronized (last) {
            last.clear(); // the lines of this run only
        }
    }

    @Override
    public void line(String line) {
        next.line(line);
        synchronized (last) {
            last.addLast(line);
            if (last.size() > KEEP) {
                last.removeFirst();
            }
        }
        if (readyLine.test(line)) {
            result.complete(null);
        }
    }

    @Override
    public void ended() {
        next.ended();
        ends++;
        result.completeExceptionally(new IllegalStateException(lastLines()));
    }

    /** How often the daemon ended since it was started with this configuration. */
    int ends() {
        return ends;
    }

    String lastLines() {
        synchronized (last) {
            return last.isEmpty() ? "ended without output" : String.join(" | ", last);
        }
    }
}
