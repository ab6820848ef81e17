package io.isthmus.itests;

import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.rules.ExternalResource;

/**
 * One test's gateway in a {@link BrokerLab} ({@code @Rule}): a work folder (the document, the state dir, the
 * resolver file), the gateway process in the lab's {@code gw} and whatever the test asks to close; after the test
 * all of it is closed, the newest first, and the folder removed, also when the test failed.
 */
final class ManagedGateway extends ExternalResource {
    static final Duration READY = Duration.ofSeconds(60);

    private final BrokerLab broker;
    private final String prefix;
    private final Deque<AutoCloseable> closeAtEnd = new ArrayDeque<>();
    private final List<String> javaOptions = new java.util.ArrayList<>();
    private final Map<String, String> environment = new java.util.LinkedHashMap<>();
    private Path work;
    private GatewayProcess gateway;

    ManagedGateway(BrokerLab broker, String prefix) {
        this.broker = broker;
        this.prefix = prefix;
    }

    @Override
    protected void before() throws Throwable {
        work = Files.createTempDirectory(prefix);
        broker.mqtt().startBrokerIfStopped();
    }

    @Override
    protected void after() {
        while (!closeAtEnd.isEmpty()) {
            try {
                closeAtEnd.pop().close();
            } catch (Exception e) {
                // the broker or the process may be gone already
            }
        }
        try (Stream<Path> s = Files.walk(work)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot remove " + work, e);
        }
    }

    Path work() {
        return work;
    }

    Path state() {
        return work.resolve("state");
    }

    /** A JVM option for the gateways this test starts, e.g. {@code -Djdk.net.hosts.file=…}. */
    void javaOption(String option) {
        javaOptions.add(option);
    }

    /** The running gateway (the last one started). */
    /** An environment variable of the gateway's service (e.g. https_proxy), from the next start on. */
    void environment(String name, String value) {
        environment.put(name, value);
    }

    /**
     * Runs the next gateway with its clock shifted by {@code offset} (libfaketime's relative form, e.g. {@code -5y}),
     * and with it every process it starts (chronyd measures the same clock); the monotonic clock stays real. The
     * machine's clock is never touched. Skips the test without libfaketime (Debian's {@code faketime}).
     */
    void fakeClock(String offset) {
        Optional<Path> lib = Stream.of("x86_64", "aarch64").map(a -> Path.of("/usr/lib/" + a
                + "-linux-gnu/faketime/libfaketime.so.1")).filter(Files::exists).findFirst();
        org.junit.Assume.assumeTrue("needs libfaketime (tools/install-deps.sh: faketime)", lib.isPresent());
        environment("LD_PRELOAD", lib.get().toString());
        environment("FAKETIME", offset);
        environment("FAKETIME_DONT_FAKE_MONOTONIC", "1");
        // libfaketime 0.9.10's pthread_cond_timedwait fix for a faked monotonic clock (not faked here) makes the JVM
        // about ten times slower (1.7 million futex calls to compile one class): the gateway was not ready in 60 s
        environment("FAKETIME_FORCE_MONOTONIC_FIX", "0");
    }

    GatewayProcess gateway() {
        return gateway;
    }

    /**
     * Starts the gateway in {@code gw} with {@code document} as its {@code --config} (and {@code isthmus run}
     * options such as {@code --shell}), without waiting.
     */
    GatewayProcess start(String document, String... options) throws Exception {
        Path doc = work.resolve("network.json");
        Files.writeString(doc, document);
        return start(Optional.of(doc), options);
    }

    /** Starts the gateway in {@code gw} on this test's state dir, without waiting. */
    GatewayProcess start(Optional<Path> config, String... options) throws Exception {
        Map<String, String> env = new java.util.LinkedHashMap<>(environment);
        // isthmus.time.setClock=false: a gateway's chronyd runs with -x, never setting the shared machine's clock
        env.put("ISTHMUS_JAVA_OPTS", "-Disthmus.resolv.conf=" + work.resolve("resolv.conf")
                + " -Disthmus.time.setClock=false" + javaOptions.stream().map(o -> " " + o).collect(java.util.stream.Collectors.joining()));
        gateway = closeAtEnd(GatewayProcess.start(broker.lab().inNamespace("gw"), ManagementSystemIT.PROFILE, config,
                state(), env, List.of(options)));
        return gateway;
    }

    /** Starts the gateway and waits for its {@code ready:} line. */
    GatewayProcess startReady(String document, String... options) throws Exception {
        GatewayProcess g = start(document, options);
        assertTrue(g.transcript(), g.awaitReady(READY).isPresent());
        return g;
    }

    /** Closed after the test, before anything registered earlier. */
    <T extends AutoCloseable> T closeAtEnd(T closeable) {
        closeAtEnd.push(closeable);
        return closeable;
    }
}
