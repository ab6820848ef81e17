package io.isthmus.linux;

import io.isthmus.api.linux.KernelException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs argv lists (never a shell) with a timeout. Both output streams are drained on their own threads so a
 * chatty child cannot block on a full pipe. Every argv goes through the {@link Namespace}, which may prefix
 * {@code ip netns exec NS}.
 */
final class ProcessRunner {
    /** Where executables are looked up: the service may run with a minimal PATH. */
    static final List<Path> SEARCH_PATH = List.of(Path.of("/usr/sbin"), Path.of("/sbin"), Path.of("/usr/bin"),
            Path.of("/bin"));
    static final Duration KILL_GRACE = Duration.ofSeconds(2);
    static final java.util.Set<String> SYSTEMD_ONLY = java.util.Set.of("NOTIFY_SOCKET", "WATCHDOG_USEC",
            "WATCHDOG_PID");

    private final Namespace namespace;
    private final Duration timeout;
    private final AtomicLong started = new AtomicLong();
    private final Optional<ChildRecords> children;

    ProcessRunner(Namespace namespace, Duration timeout) {
        this(namespace, timeout, Optional.empty());
    }

    /** With the records of long-lived children that let the next start end what a killed gateway left. */
    ProcessRunner(Namespace namespace, Duration timeout, Optional<ChildRecords> children) {
        this.namespace = namespace;
        this.timeout = timeout;
        this.children = children;
    }

    Optional<ChildRecords> children() {
        return children;
    }

    Namespace namespace() {
        return namespace;
    }

    /** How many processes this runner started: lets tests prove that invalid input ran nothing. */
    long started() {
        return started.get();
    }

    /** Runs and returns the output; a non-zero exit becomes a KernelException naming the command and stderr. */
    String run(String executable, List<String> args) throws KernelException {
        return run(executable, args, null).stdout();
    }

    ProcessResult run(String executable, List<String> args, String stdin) throws KernelException {
        ProcessResult result = exec(executable, args, stdin);
        if (!result.ok()) {
            throw new KernelException(result.describe());
        }
        return result;
    }

    /** Runs and returns the result whatever the exit code; fails only when the process cannot run or times out. */
    ProcessResult exec(String executable, List<String> args, String stdin) throws KernelException {
        PipedProcess process = startPiped(executable, args);
        if (stdin != null) {
            try {
                process.stdin().write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the child exited without reading all of its input: its exit code and stderr say why
            }
        }
        return process.finish();
    }

    /**
     * Starts a child whose standard input the caller writes while it runs, for input made as it goes (an nft batch
     * streamed as it is planned); {@link PipedProcess#finish} waits for it with this runner's timeout.
     */
    PipedProcess startPiped(String executable, List<String> args) throws KernelException {
        List<String> argv = namespace.argv(resolve(executable), args);
        return new PipedProcess(executable, argv, start(argv, false), timeout);
    }

    /**
     * Starts a long-lived child (monitor, DHCP client, daemon) with stderr merged into stdout, so one reader drains
     * both; the caller reads it and stops the process with {@link #stop}. The child gets a parent-death signal
     * (see {@link #withParentDeathSignal}): call this from a thread that lives as long as the child.
     */
    Process startLongLived(String executable, List<String> args) throws KernelException {
        return start(withParentDeathSignal(namespace.argv(resolve(executable), args)), true);
    }

    /**
     * {@code setpriv --pdeathsig KILL -- argv} (util-linux; without it, argv as it is): the kernel kills the child
     * when its parent dies, so it does not outlive a gateway killed with SIGKILL. The kernel means the parent
     * <em>thread</em>: a child started from a thread that ends before it would be killed then, which is why
     * long-lived children are started only from their supervisor's own thread (SupervisedProcess), which ends
     * after them. The signal survives the execs that follow ({@code ip netns exec}, the program itself).
     */
    static List<String> withParentDeathSignal(List<String> argv) {
        return find("setpriv").map(setpriv -> {
            List<String> wrapped = new java.util.ArrayList<>(List.of(setpriv, "--pdeathsig", "KILL", "--"));
            wrapped.addAll(argv);
            return List.copyOf(wrapped);
        }).orElse(argv);
    }

    private Process start(List<String> argv, boolean mergeStderr) throws KernelException {
        started.incrementAndGet();
        try {
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(mergeStderr);
            // systemd's notify socket is the launcher's: a child that speaks sd_notify (avahi-daemon does) must
            // not report to the gateway's unit
            pb.environment().keySet().removeAll(SYSTEMD_ONLY);
            return pb.start();
        } catch (IOException e) {
            throw new KernelException(String.join(" ", argv) + " cannot start: " + e.getMessage(), e);
        }
    }

    /**
     * SIGTERM, a grace period, then SIGKILL; returns once the process is gone (or the wait was interrupted).
     * SIGTERM goes through the ProcessHandle: Process.destroy() would also close our end of the pipes, losing
     * what the child prints on its way out (udhcpc's release event).
     */
    static void stop(Process process, Duration grace) {
        process.toHandle().destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static String resolve(String executable) throws KernelException {
        return find(executable).orElseThrow(
                () -> new KernelException(executable + " not found in " + SEARCH_PATH));
    }

    static Optional<String> find(String executable) {
        if (executable.indexOf('/') >= 0) {
            return Optional.of(executable);
        }
        for (Path dir : SEARCH_PATH) {
            Path candidate = dir.resolve(executable);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }

    /** Drains one stream on a daemon thread. */
    static final class StreamCollector {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final Thread thread;

        StreamCollector(InputStream stream, String name) {
            thread = new Thread(() -> {
                try (stream) {
                    stream.transferTo(buffer);
                } catch (IOException e) {
                    // the process was killed; keep what was read
                }
            }, "isthmus-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        String text() throws InterruptedException {
            thread.join(KILL_GRACE.toMillis());
            synchronized (buffer) {
                return buffer.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
