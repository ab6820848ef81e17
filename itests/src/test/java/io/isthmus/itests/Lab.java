package io.isthmus.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One network lab (itests/lab/lab.sh): namespaces gw, ispw, ispc, inet, dmz, ot with veth pairs. Unique per
 * test class; {@link #close()} always tears it down, and lab.sh gc removes leftovers of a crashed JVM.
 */
final class Lab implements AutoCloseable {
    static final Path SCRIPT = Distribution.root().resolve("itests/lab/lab.sh");
    private static final ObjectMapper JSON = new ObjectMapper();

    final String id;
    private final Map<String, String> env;

    private Lab(String id, Map<String, String> env) {
        this.id = id;
        this.env = env;
    }

    record Result(int exit, String out, String err) {
        boolean ok() {
            return exit == 0;
        }
    }

    static Lab up(String... options) throws IOException, InterruptedException {
        run(List.of(SCRIPT.toString(), "gc"), Duration.ofSeconds(60));
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString(), "up", "--owner",
                String.valueOf(ProcessHandle.current().pid())));
        cmd.addAll(List.of(options));
        Result r = run(cmd, Duration.ofSeconds(60));
        if (!r.ok()) {
            throw new IllegalStateException("lab.sh up failed: " + r.err());
        }
        String[] lines = r.out().strip().split("\n");
        String id = lines[lines.length - 1].strip();
        Result e = run(List.of(SCRIPT.toString(), "env", id), Duration.ofSeconds(10));
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : e.out().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return new Lab(id, env);
    }

    /** A name or address of the lab, e.g. {@code GW_WIRED_ADDR}; see lab.sh env. */
    String get(String key) {
        String v = env.get(key);
        if (v == null) {
            throw new IllegalArgumentException("lab.sh env has no " + key);
        }
        return v;
    }

    String ns(String node) {
        return "isl-" + id + "-" + node;
    }

    List<String> inNamespace(String node) {
        return List.of("ip", "netns", "exec", ns(node));
    }

    Result exec(String node, String... argv) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(inNamespace(node));
        cmd.addAll(List.of(argv));
        return run(cmd, Duration.ofSeconds(30));
    }

    /** {@code ip -j ARGS} in a node, parsed. */
    JsonNode ip(String node, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns(node), "-j"));
        cmd.addAll(List.of(args));
        Result r = run(cmd, Duration.ofSeconds(10));
        if (!r.ok()) {
            throw new IllegalStateException(cmd + ": " + r.err());
        }
        return JSON.readTree(r.out().isBlank() ? "[]" : r.out());
    }

    /** Raw text of {@code ip -j ARGS}: for byte-for-byte comparisons of kernel state. */
    String ipText(String node, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns(node), "-j"));
        cmd.addAll(List.of(args));
        return run(cmd, Duration.ofSeconds(10)).out();
    }

    /** The device of the main table's default route in a node (a multipath route has none), if any. */
    java.util.Optional<String> defaultDevice(String node) {
        try {
            for (JsonNode r : ip(node, "route", "show", "table", "main")) {
                if ("default".equals(r.path("dst").asText()) && !r.has("type") && r.has("dev")) {
                    return java.util.Optional.of(r.path("dev").asText());
                }
            }
            return java.util.Optional.empty();
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
    }

    boolean ping(String node, String target) throws IOException, InterruptedException {
        return exec(node, "ping", "-c", "1", "-W", "1", "-n", target).ok();
    }

    /** lab.sh pull|cut|restore wired|cell. */
    void fault(String what, String uplink) throws IOException, InterruptedException {
        Result r = run(List.of(SCRIPT.toString(), what, id, uplink), Duration.ofSeconds(30));
        if (!r.ok()) {
            throw new IllegalStateException("lab.sh " + what + " " + uplink + ": " + r.err());
        }
    }

    /**
     * Polls {@code observed} until it equals {@code expected} or the deadline passes; the last value seen, so that
     * an assertEquals on it shows the difference.
     */
    static String settle(String expected, java.util.concurrent.Callable<String> observed, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = observed.call();
        while (!expected.equals(last) && System.nanoTime() < deadline) {
            Thread.sleep(25); // polling interval of a bounded wait
            last = observed.call();
        }
        return last;
    }

    /**
     * Whether this kernel routes IPv4 multicast (CONFIG_IP_MROUTE: {@code /proc/net/ip_mr_vif} exists in every
     * namespace). Some machines' kernels are built without it: multicast forwarding cannot be tested there, and the
     * gateway refuses a routable group instead (MulticastSystemIT).
     */
    static boolean multicastRouting() {
        return java.nio.file.Files.exists(java.nio.file.Path.of("/proc/net/ip_mr_vif"));
    }

    /** Polls a condition until it holds or the deadline passes; the elapsed time in ms, or -1. */
    static long within(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            Thread.sleep(25); // polling interval of a bounded wait
        }
        return -1;
    }

    static Result run(List<String> cmd, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).start();
        // small outputs only: read after exit is safe for ip/ping/lab.sh here, but drain concurrently anyway
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        Thread o = new Thread(() -> copy(p.getInputStream(), out));
        Thread e = new Thread(() -> copy(p.getErrorStream(), err));
        o.start();
        e.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + cmd);
        }
        o.join();
        e.join();
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void copy(java.io.InputStream in, java.io.OutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // process gone
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run(List.of(SCRIPT.toString(), "down", id), Duration.ofSeconds(60));
    }
}
