package io.isthmus.linux;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway network namespace for system tests, with a unique name per run ({@code isl-<random>}). Closing it
 * kills every process still inside (the ones the test started and any the code under test left) and deletes it.
 */
final class TestNamespace implements AutoCloseable {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    final String name;
    private final List<Process> started = new ArrayList<>();

    private TestNamespace(String name) {
        this.name = name;
    }

    /** Skips the calling test unless it runs as root with iproute2 (CI does). */
    static void assumeRoot() {
        boolean root = "root".equals(System.getProperty("user.name"));
        assumeTrue(root && ProcessRunner.find("ip").isPresent(),
                "system test skipped: needs root and iproute2 to create network namespaces");
    }

    static TestNamespace create() {
        assumeRoot();
        String name = "isl-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
        TestNamespace ns = new TestNamespace(name);
        run(List.of("ip", "netns", "add", name));
        ns.ip("link", "set", "lo", "up");
        return ns;
    }

    Namespace namespace() {
        return Namespace.of(name);
    }

    /** {@code ip -n NS ARGS}, which must succeed. */
    String ip(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", name));
        argv.addAll(List.of(args));
        return run(argv);
    }

    /** A command inside the namespace, which must succeed. */
    String exec(String... argv) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(argv));
        return run(full);
    }

    /** A long-lived process inside the namespace, output to the given file; killed on close. */
    Process start(java.nio.file.Path output, String... argv) throws IOException {
        List<String> full = new ArrayList<>(List.of(ProcessRunner.find("ip").orElseThrow(), "netns", "exec", name));
        full.addAll(List.of(argv));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        started.add(p);
        return p;
    }

    /** Processes inside the namespace now, by pid. */
    List<Long> pids() {
        return run(List.of("ip", "netns", "pids", name)).lines().filter(s -> !s.isBlank()).map(Long::parseLong)
                .toList();
    }

    @Override
    public void close() {
        for (Process p : started) {
            ProcessRunner.stop(p, Duration.ofSeconds(2));
        }
        for (long pid : pids()) {
            ProcessHandle.of(pid).ifPresent(h -> {
                h.destroyForcibly();
                h.onExit().orTimeout(2, TimeUnit.SECONDS).exceptionally(e -> null).join();
            });
        }
        run(List.of("ip", "netns", "del", name));
    }

    private static String run(List<String> argv) {
        try {
            ProcessResult r = new ProcessRunner(Namespace.NONE, COMMAND_TIMEOUT).exec(argv.get(0),
                    argv.subList(1, argv.size()), null);
            if (!r.ok()) {
                throw new IllegalStateException(r.describe());
            }
            return r.stdout();
        } catch (io.isthmus.api.linux.KernelException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
