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
        // the clean stop left SCR's parsed component descriptions for the next start (ds.cache.metadata)
        assertTrue("SCR's component metadata store in the bundle cache", scrMetadataStore(state).isPresent());
        runUntilReady(state, Optional.empty());
        assertEquals("no new generation on a plain restart", before, digest(state.resolve("config")));
    }

    private static Optional<Path> scrMetadataStore(Path state) throws IOException {
        try (Stream<Path> s = Files.walk(state.resolve("cache"))) {
            return s.filter(p -> p.endsWith("data/componentMetadataStore") && Files.isRegularFile(p)).findFirst();
        }
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

    /**
     * Class-data sharing (docs/running.md): a first start leaves {@code cds/record} once it has run for the delay
     * (here at once: {@code -Disthmus.cds.delay=0}), the second start records and its JVM writes
     * {@code <state>/cds/classes.jsa} as it exits, the next start maps it (seen in its /proc/PID/maps), and an
     * archive the JVM cannot use (overwritten with garbage) neither stops a start nor shows a JVM warning: it is
     * dropped (that JVM ran without the JDK's base archive as well, so a plain start leaves the marker again),
     * and a later start records a new one.
     */
    @Test
    public void aClassDataArchiveIsRecordedByTheSecondStartMappedByTheNextAndReplacedWhenDamaged() throws Exception {
        Path state = work.resolve("state");
        Path archive = state.resolve("cds/classes.jsa");
        java.util.Map<String, String> now = java.util.Map.of("ISTHMUS_JAVA_OPTS", "-Disthmus.cds.delay=0");
        plainStart(state, now);
        record(state, now);

        try (GatewayProcess gw = GatewayProcess.start(NETNS, PROFILE, Optional.empty(), state, now)) {
            assertTrue(gw.transcript(), gw.awaitReady(READY).isPresent());
            String maps = Files.readString(Path.of("/proc/" + gw.pid() + "/maps"));
            assertTrue("the JVM maps " + archive, maps.contains(archive.toRealPath().toString()));
            stopCleanly(gw);
            assertFalse(gw.transcript(), gw.transcript().contains("class-data archive"));
        }

        byte[] garbage = new byte[(int) Files.size(archive)];
        new java.util.Random(17).nextBytes(garbage);
        Files.write(archive, garbage);
        try (GatewayProcess gw = GatewayProcess.start(NETNS, PROFILE, Optional.empty(), state, now)) {
            assertTrue(gw.transcript(), gw.awaitReady(READY).isPresent());
            assertTrue(gw.transcript(), gw.awaitOutput("isthmus: class-data archive: " + archive.toAbsolutePath()
                    + " dropped (not mapped by this JVM); a later start records a new one", READY));
            stopCleanly(gw);
            assertFalse("no JVM warning: " + gw.transcript(), gw.transcript().contains("[warning]"));
        }
        assertFalse(Files.exists(archive));
        plainStart(state, now);
        record(state, now);
    }

    /** A start without an archive that leaves the record marker (at once with -Disthmus.cds.delay=0). */
    private void plainStart(Path state, java.util.Map<String, String> env) throws Exception {
        try (GatewayProcess gw = GatewayProcess.start(NETNS, PROFILE, Optional.empty(), state, env)) {
            assertTrue(gw.transcript(), gw.awaitReady(READY).isPresent());
            assertTrue(gw.transcript(), awaitFile(state.resolve("cds/record")));
            stopCleanly(gw);
            assertFalse(gw.transcript(), gw.transcript().contains("class-data archive"));
        }
    }

    /** A recording start: its JVM writes the archive as it exits, which makes this one stop take longer. */
    private void record(Path state, java.util.Map<String, String> env) throws Exception {
        try (GatewayProcess gw = GatewayProcess.start(NETNS, PROFILE, Optional.empty(), state, env)) {
            assertTrue(gw.transcript(), gw.awaitReady(READY).isPresent());
            assertTrue(gw.transcript(), gw.awaitOutput("isthmus: class-data archive: recording; the JVM writes "
                    + state.resolve("cds/classes.jsa").toAbsolutePath() + " when it exits", READY));
            // the recording JVM logs the classes it loads, for the launcher to link them at the stop
            assertTrue(Files.size(state.resolve("cds/classes.loaded")) > 0);
            gw.terminate();
            assertEquals(gw.transcript(), Optional.of(143), gw.awaitExit(Duration.ofSeconds(30)));
            assertFalse("no JVM warning: " + gw.transcript(), gw.transcript().contains("[warning]"));
        }
        assertTrue(Files.size(state.resolve("cds/classes.jsa")) > 1 << 20);
        assertFalse(Files.exists(state.resolve("cds/record")));
        assertFalse("the class-load log, read at the stop", Files.exists(state.resolve("cds/classes.loaded")));
    }

    private static boolean awaitFile(Path file) throws InterruptedException {
        for (long end = System.nanoTime() + READY.toNanos(); System.nanoTime() < end;) {
            if (Files.exists(file)) {
                return true;
            }
            Thread.sleep(20); // polling for the file, not waiting for an effect
        }
        return false;
    }

    private static void stopCleanly(GatewayProcess gw) throws Exception {
        gw.terminate();
        assertEquals(gw.transcript(), Optional.of(143), gw.awaitExit(Duration.ofSeconds(5)));
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
