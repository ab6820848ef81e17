package io.isthmus.itests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real gateway process ({@code bin/isthmus run}) of an assembled distribution, started behind a command
 * prefix (e.g. {@code unshare --net --} or {@code ip netns exec <ns>}) so it never touches the host's network.
 * Collects stdout and stderr line by line; {@link #close()} always ends the process.
 */
final class GatewayProcess implements AutoCloseable {
    private final Process process;
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<String> outQueue = new LinkedBlockingQueue<>();

    private GatewayProcess(Process process) {
        this.process = process;
        pump(process.getInputStream(), out, outQueue, "gateway-stdout");
        pump(process.getErrorStream(), err, new LinkedBlockingQueue<>(), "gateway-stderr");
    }

    static GatewayProcess start(List<String> prefix, String profile, Optional<Path> config, Path state)
            throws IOException {
        return start(prefix, profile, config, state, java.util.Map.of());
    }

    /** With extra environment, e.g. {@code ISTHMUS_JAVA_OPTS}. */
    static GatewayProcess start(List<String> prefix, String profile, Optional<Path> config, Path state,
            java.util.Map<String, String> env) throws IOException {
        return start(prefix, profile, config, state, env, List.of());
    }

    /** With extra {@code isthmus run} options, e.g. {@code --shell}. */
    static GatewayProcess start(List<String> prefix, String profile, Optional<Path> config, Path state,
            java.util.Map<String, String> env, List<String> options) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Distribution.root().resolve("distribution/target/isthmus-" + profile + "/bin/isthmus").toString());
        cmd.add("run");
        config.ifPresent(c -> {
            cmd.add("--config");
            cmd.add(c.toString());
        });
        cmd.add("--state");
        cmd.add(state.toString());
        cmd.addAll(options);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        return new GatewayProcess(pb.start());
    }

    private static void pump(java.io.InputStream in, List<String> lines, LinkedBlockingQueue<String> queue,
            String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    lines.add(line);
                    queue.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    /** The {@code ready:} line, or empty when the process printed none within the timeout (or exited). */
    Optional<String> awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = outQueue.poll(50, TimeUnit.MILLISECONDS);
            if (line != null && line.startsWith("ready:")) {
                return Optional.of(line);
            }
            if (line == null && !process.isAlive() && outQueue.isEmpty()) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Waits until a stdout line contains {@code text}; true when it did within the timeout. */
    boolean awaitOutput(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            if (out.stream().anyMatch(l -> l.contains(text))) {
                return true;
            }
            Thread.sleep(20); // polling the collected output, not waiting for an effect
        } while (System.nanoTime() < deadline);
        return false;
    }

    /**
     * A boot whose {@code --config} file is rejected: the gateway runs the generation it kept (or, on a first boot,
     * the profile's default) and becomes ready, and a stderr line names the file and {@code text} (a pointer).
     */
    boolean awaitRejectedBoot(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (awaitReady(timeout).isEmpty()) {
            return false;
        }
        do {
            if (err.stream().anyMatch(l -> l.startsWith("isthmus: ") && l.contains(text))) {
                return true;
            }
            Thread.sleep(20); // polling the collected output, not waiting for an effect
        } while (System.nanoTime() < deadline);
        return false;
    }

    /** Waits for the process to exit by itself; the exit code, or empty on timeout. */
    Optional<Integer> awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? Optional.of(process.exitValue())
                : Optional.empty();
    }

    /** SIGTERM, as systemd sends it. */
    void terminate() {
        process.destroy();
    }

    /** Types a line on the gateway's console (the Gogo shell, with --shell). */
    void type(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /** The id of bundle {@code symbolicName} as the Gogo shell lists it (the gateway runs with {@code --shell}). */
    String bundleId(String symbolicName) throws IOException, InterruptedException {
        String listed = "|" + symbolicName + " ";
        type("lb -s " + symbolicName);
        if (!awaitOutput(listed, Duration.ofSeconds(10))) {
            throw new AssertionError(symbolicName + " not listed by the shell:\n" + transcript());
        }
        return out.stream().filter(l -> l.contains(listed)).findFirst().orElseThrow().split("\\|")[0]
                .replaceAll("[^0-9]", "");
    }

    long pid() {
        return process.pid();
    }

    List<String> stdout() {
        return List.copyOf(out);
    }

    List<String> stderr() {
        return List.copyOf(err);
    }

    String transcript() {
        return "stdout:\n  " + String.join("\n  ", out) + "\nstderr:\n  " + String.join("\n  ", err);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
