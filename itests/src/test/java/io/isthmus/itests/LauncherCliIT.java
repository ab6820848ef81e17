package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The unpacked x86-industrial distribution, run as an operator runs it: {@code bin/isthmus run}. Each gateway
 * runs in a new empty network namespace ({@code unshare --net}), so none of them touches the host's network.
 */
public class LauncherCliIT {
    static final List<String> NETNS = List.of("unshare", "--net", "--");
    static final String PROFILE = "x86-industrial";
    static final Duration READY = Duration.ofSeconds(60);

    Path work;

    @Before
    public void setUp() throws IOException {
        assumeTrue("needs root for unshare --net", "root".equals(System.getProperty("user.name")));
        work = Files.createTempDirectory("isthmus-cli-");
    }

    @After
    public void tearDown() throws IOException {
        if (work != null) {
            try (Stream<Path> s = Files.walk(work)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    public void readyOnceWithAnEmptyStateDirAndStopsCleanlyOnSigterm() throws Exception {
        Path state = work.resolve("state");
        try (GatewayProcess gw = GatewayProcess.start(NETNS, PROFILE, Optional.empty(), state)) {
            Optional<String> ready = gw.awaitReady(READY);
            assertTrue(gw.transcript(), ready.isPresent());
            assertTrue(ready.get(), ready.get().matches("ready: \\d+ bundles active in \\d+ ms"));
            long start = System.nanoTime();
            gw.terminate();
            Optional<Integer> exit = gw.awaitExit(Duration.ofSeconds(5));
            long stopMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue("stopped within 5 s, took " + stopMs + " ms", exit.isPresent());
            assertEquals("SIGTERM exit status", Integer.valueOf(143), exit.get());
            assertEquals(gw.transcript(), 1, gw.stdout().stream().filter(l -> l.startsWith("ready:")).count());
        }
        assertTrue(Files.isRegularFile(state.resolve("config/current")));
        assertTrue(Files.isDirectory(state.resolve("cache")));
    }

    @Test
    public void restartKeepsTheCommittedGenerationAndTheBundleCache() throws Exception {
        Path state = work.resolve("state");
        runUntilReady(state, Optional.empty());
        String before = digest(state.resolve("config"));
        runUntilReady(state, Optional.empty());
        assertEquals("no new generation on a plain restart", before, digest(state.resolve("config")));
    }

    /** A bad --config never stops the gateway (a service manager would restart it into the same file forever). */
    @Test
    public void invalidDocumentIsRejectedWithPointerAndTheGatewayRunsTheGenerationItHad() throws Exception {
        Path state = work.resolve("state");
        runUntilReady(state, Optional.empty());
        String config = digest(state.resolve("config"));
        Path bad = work.resolve("bad.json");
        Files.writeString(bad, "{\"ports\": {\"eth0\": {\"ipv4\": {\"method\": \"static\", \"address\": \"100.64.1.10/24\"}},"
                + " \"eth7\": {\"kind\": \"token-ring\"}}}");
        try (GatewayProcess gw = GatewayProcess.start(NETNS, PROFILE, Optional.of(bad), state)) {
            assertTrue(gw.transcript(), gw.awaitRejectedBoot(bad + ": /ports/", READY));
            String line = gw.stderr().stream().filter(l -> l.startsWith("isthmus: " + bad)).findFirst().orElseThrow();
            assertTrue(line, line.contains("more)"));
            assertTrue(line, line.endsWith("running generation 1"));
        }
        assertEquals("no new generation", config, digest(state.resolve("config")));
    }

    @Test
    public void invalidDocumentOnFirstBootFallsBackToTheProfileDefault() throws Exception {
        Path state = work.resolve("fresh");
        Path bad = work.resolve("bad.json");
        Files.writeString(bad, "{\"ports\": {\"eth1\": {\"ipv4\": {\"method\": \"static\", \"address\": \"192.168.50.1/33\"}}}}");
        try (GatewayProcess gw = GatewayProcess.start(NETNS, PROFILE, Optional.of(bad), state)) {
            assertTrue(gw.transcript(), gw.awaitRejectedBoot("/ports/eth1/ipv4/address", READY));
        }
        assertEquals("1", Files.readString(state.resolve("config/current")).strip());
    }

    @Test
    public void aConfigFileThatIsNotJsonOrHasADuplicateKeyIsRejectedLikeAnInvalidDocument() throws Exception {
        Path state = work.resolve("state");
        runUntilReady(state, Optional.empty());
        Path bad = work.resolve("broken.json");
        Files.writeString(bad, "{\"ports\": ");
        try (GatewayProcess gw = GatewayProcess.start(NETNS, PROFILE, Optional.of(bad), state)) {
            assertTrue(gw.transcript(), gw.awaitRejectedBoot(bad.toString(), READY));
        }
        try (GatewayProcess gw = GatewayProcess.start(NETNS, PROFILE, Optional.of(work.resolve("missing.json")), state)) {
            assertTrue(gw.transcript(), gw.awaitRejectedBoot("missing.json", READY));
        }
        // a second section of the same name would hide from a reviewer of the first: a syntax error
        Path twice = work.resolve("twice.json");
        Files.writeString(twice, "{\"firewall\": {}, \"firewall\": {\"portForwards\": []}}");
        try (GatewayProcess gw = GatewayProcess.start(NETNS, PROFILE, Optional.of(twice), state)) {
            assertTrue(gw.transcript(), gw.awaitRejectedBoot("/firewall", READY));
        }
    }

    private void runUntilReady(Path state, Optional<Path> config) throws Exception {
        try (GatewayProcess gw = GatewayProcess.start(NETNS, PROFILE, config, state)) {
            assertTrue(gw.transcript(), gw.awaitReady(READY).isPresent());
            gw.terminate();
            assertEquals(gw.transcript(), Optional.of(143), gw.awaitExit(Duration.ofSeconds(5)));
        }
    }

    /** Names and contents of every file below dir, hashed: equal digests mean byte-for-byte equal trees. */
    static String digest(Path dir) throws Exception {
        TreeMap<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                files.put(dir.relativize(p).toString(),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return files.toString();
    }
}
