package io.isthmus.linux;

import io.isthmus.api.linux.KernelException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.osgi.service.log.Logger;

/**
 * A long-lived child (ip monitor, udhcpc) read line by line (stderr merged) on a thread of its own, started
 * again with exponential back-off whenever it ends, until {@link #stop}.
 */
final class SupervisedProcess {
    /** Back-off between restarts; it starts over once a run lasted {@code stable}. */
    record Backoff(Duration min, Duration max, Duration stable) {
    }

    /** What the owner does around each run. */
    interface Handler {
        /** The child started (before its first line). */
        void started();

        void line(String line);

        /** The child ended, for whatever reason, stop included. */
        void ended();
    }

    private final String name;
    private final ProcessRunner runner;
    private final String executable;
    private final List<String> args;
    private final Backoff backoff;
    private final Handler handler;
    private final Logger log;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile Process process;

    SupervisedProcess(String name, ProcessRunner runner, String executable, List<String> args, Backoff backoff,
            Handler handler, Logger log) {
        this.name = name;
        this.runner = runner;
        this.executable = executable;
        this.args = List.copyOf(args);
        this.backoff = backoff;
        this.handler = handler;
        this.log = log;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean stopping() {
        return stopping;
    }

    /** The child running now, if any. */
    Optional<Process> process() {
        return Optional.ofNullable(process).filter(Process::isAlive);
    }

    /**
     * SIGTERM, then SIGKILL after the grace period; the child's last lines are still handled. Returns once the
     * thread is done (unless called from the handler, on that very thread).
     */
    void stop(Duration grace) {
        stopping = true;
        Process p = process;
        if (p != null) {
            ProcessRunner.stop(p, grace);
        }
        thread.interrupt(); // ends a back-off wait; reading the pipe is not interruptible and ends at EOF
        if (Thread.currentThread() != thread) {
            try {
                thread.join(grace.toMillis() * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        long wait = backoff.min().toMillis();
        while (!stopping) {
            long started = System.nanoTime();
            String ended;
            try {
                ended = "exited with " + runOnce();
            } catch (KernelException | IOException e) {
                ended = "failed: " + e.getMessage();
            } catch (InterruptedException e) {
                break;
            } finally {
                handler.ended();
            }
            if (stopping) {
                break;
            }
            if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) > backoff.stable().toMillis()) {
                wait = backoff.min().toMillis();
            }
            log.warn("{} {}; restarting in {} ms", name, ended, wait);
            try {
                Thread.sleep(wait); // back-off before a restart, not synchronisation
            } catch (InterruptedException e) {
                break;
            }
            wait = Math.min(wait * 2, backoff.max().toMillis());
        }
    }

    private int runOnce() throws KernelException, IOException, InterruptedException {
        Process p = runner.startLongLived(executable, args);
        process = p;
        runner.children().ifPresent(c -> c.started(name, p, executable, args));
        try {
            if (stopping) { // stop() may have looked before we stored the process
                ProcessRunner.stop(p, Duration.ofSeconds(2));
                return -1;
            }
            handler.started();
            try (InputStream out = p.getInputStream()) {
                new Lines().readAll(out, handler::line);
            }
            return p.waitFor();
        } finally {
            if (!p.isAlive()) { // interrupted while it runs: the record stays, the next start ends it
                runner.children().ifPresent(c -> c.ended(name, p));
            }
        }
    }
}
