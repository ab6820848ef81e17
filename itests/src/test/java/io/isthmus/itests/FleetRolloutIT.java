package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * Fleet rollout end to end: six real gateways (x86-industrial, each in its own network namespace, all on one
 * Mosquitto), driven only by the real isthmusctl. The rolled-out bundle is io.isthmus.multicast under a new
 * version, signed by a key whose certificate every gateway trusts — except fleet-4, whose trust store has a
 * stranger's certificate only: it rejects the jar, which is the failure the rollout must react to. URL transfers
 * come from an HTTPS server in this JVM whose certificate every gateway trusts for downloads
 * ({@code <state>/deploy/https-trusted}, as an operator provisions it); inline transfers go
 * through the broker, which one test kills in the middle of one.
 */
public class FleetRolloutIT {
    static final String PROFILE = "x86-industrial";
    static final String BUNDLE = "io.isthmus.multicast";
    static final int GATEWAYS = 6;
    static final int BAD = 4;
    static final int OFFLINE = 6;
    static final Duration READY = Duration.ofSeconds(90);
    static final ObjectMapper JSON = new ObjectMapper();

    @Rule
    public Timeout timeout = Timeout.seconds(240);

    static FleetNet net;
    static Path work;
    static FleetJars signer;
    static FleetWatch watch;
    /** The HTTPS server's certificate, trusted by every gateway for downloads ({@code <state>/deploy/https-trusted}). */
    static Path httpsCertificate;
    static DeployHttps files;
    static final GatewayProcess[] gateways = new GatewayProcess[GATEWAYS + 1];

    @BeforeClass
    public static void fleetUp() throws Exception {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        assumeTrue("isthmusctl is built (mvn install -pl tools/isthmusctl)", Files.isExecutable(cli()));
        work = Files.createTempDirectory("isthmus-fleet-it-");
        net = FleetNet.up(GATEWAYS);
        net.startBroker();
        watch = new FleetWatch();
        signer = FleetJars.signer(work.resolve("keys"), "isthmus-fleet-operator");
        FleetJars stranger = FleetJars.signer(work.resolve("keys"), "someone-else");
        Path tlsDir = Files.createDirectories(work.resolve("tls"));
        httpsCertificate = tlsDir.resolve("files.pem");
        Path httpsKey = DeployBundles.key(tlsDir, "files", httpsCertificate, "-ext", "SAN=ip:" + FleetNet.JVM_ADDR);
        Instant start = Instant.now();
        for (int i = 1; i <= GATEWAYS; i++) {
            (i == BAD ? stranger : signer).trustIn(state(i));
            gateways[i] = start(i);
        }
        for (int i = 1; i <= GATEWAYS; i++) {
            assertTrue(device(i) + ":\n" + gateways[i].transcript(), gateways[i].awaitReady(READY).isPresent());
        }
        for (int i = 1; i <= GATEWAYS; i++) {
            watch.await(device(i), true, start, Duration.ofSeconds(30));
        }
        // the jars for --url, over HTTPS with a certificate the gateways trust
        files = new DeployHttps(FleetNet.JVM_ADDR, 8443, httpsKey);
    }

    @AfterClass
    public static void fleetDown() throws Exception {
        if (files != null) {
            files.close();
        }
        for (GatewayProcess g : gateways) {
            if (g != null) {
                g.close();
            }
        }
        if (watch != null) {
            try {
                watch.close();
            } catch (Exception e) {
                // the broker may be gone
            }
        }
        if (net != null) {
            net.close();
        }
        if (work != null) {
            try (Stream<Path> s = Files.walk(work)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static String device(int i) {
        return "fleet-" + i;
    }

    static Path state(int i) {
        return work.resolve("state-" + i);
    }

    static GatewayProcess start(int i) throws Exception {
        Path doc = work.resolve("network-" + i + ".json");
        Files.writeString(doc, """
                {"ports": {"eth0": {"kind": "ethernet", "role": "mgmt",
                                    "ipv4": {"method": "static", "address": "%s/24"}}},
                 "management": {"brokers": ["%s"], "deviceId": "%s", "keepAliveSeconds": 5}}
                """.formatted(FleetNet.address(i), FleetNet.BROKER, device(i)));
        // the deploy bundle trusts the certificates in <state>/deploy/https-trusted for its downloads
        Path trusted = Files.createDirectories(state(i).resolve("deploy/https-trusted"));
        Files.copy(httpsCertificate, trusted.resolve("files.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return GatewayProcess.start(net.in(i), PROFILE, Optional.of(doc), state(i), Map.of("ISTHMUS_JAVA_OPTS",
                "-Disthmus.resolv.conf=" + work.resolve("resolv-" + i + ".conf")));
    }

    static Path cli() {
        return Distribution.root().resolve("tools/isthmusctl/target/isthmusctl/bin/isthmusctl");
    }

    static Lab.Result isthmusctl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(cli().toString(), "--broker", FleetNet.BROKER));
        cmd.addAll(List.of(args));
        return Lab.run(cmd, Duration.ofSeconds(180));
    }

    /** The running version of the rolled-out bundle on a device, from bundles.list. */
    static String running(int i) throws Exception {
        Lab.Result r = isthmusctl("--json", "bundles", device(i));
        assertEquals(r.err(), 0, r.exit());
        for (JsonNode b : JSON.readTree(r.out()).at("/body/bundles")) {
            if (BUNDLE.equals(b.path("symbolicName").asText())) {
                assertEquals(device(i) + " " + b, "ACTIVE", b.path("state").asText());
                return b.path("version").asText();
            }
        }
        throw new AssertionError(BUNDLE + " not on " + device(i) + ": " + r.out());
    }

    static Path distributionJar() throws Exception {
        try (Stream<Path> s = Files.walk(Distribution.root().resolve("distribution/target/isthmus-" + PROFILE
                + "/system"))) {
            return s.filter(p -> p.getFileName().toString().startsWith(BUNDLE + "-")
                    && p.toString().endsWith(".jar")).findFirst().orElseThrow();
        }
    }

    static Map<String, JsonNode> byDevice(JsonNode journal) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        journal.path("devices").forEach(d -> m.put(d.path("device").asText(), d));
        return m;
    }

    @Test
    public void aBadDeviceStopsTheRolloutAtTheThresholdAndTheUpdatedDevicesAreRolledBack() throws Exception {
        Path jar = signer.version(distributionJar(), "0.1.1.fleet");
        Map<Integer, String> before = new LinkedHashMap<>();
        for (int i = 1; i <= 5; i++) {
            before.put(i, running(i));
        }
        Path journal = work.resolve("rollout-threshold.json");

        long t0 = System.nanoTime();
        Lab.Result r = isthmusctl("--json", "bundle", "update", "--devices", "fleet-1,fleet-2,fleet-3,fleet-4,fleet-5",
                "--canary", "fleet-1", "--wave", "1", "--max-failures", "0", "--journal", journal.toString(),
                jar.toString());
        long ms = (System.nanoTime() - t0) / 1_000_000;

        String transcript = "exit " + r.exit() + " after " + ms + " ms\n" + r.out() + "\n" + r.err();
        assertEquals(transcript, 11, r.exit());
        JsonNode report = JSON.readTree(r.out());
        Map<String, JsonNode> d = byDevice(report);
        assertEquals(transcript, "canary", d.get("fleet-1").path("phase").asText());
        for (String updated : List.of("fleet-1", "fleet-2", "fleet-3")) {
            assertEquals(transcript, "reverted", d.get(updated).path("outcome").asText());
        }
        assertEquals(transcript, "rejected", d.get("fleet-4").path("outcome").asText());
        assertTrue(transcript, d.get("fleet-4").path("reason").asText().contains("not signed by a trusted"));
        assertEquals(transcript, "notStarted", d.get("fleet-5").path("outcome").asText());
        assertTrue(transcript, report.path("stopped").asText().contains("fleet-4"));
        assertEquals("the journal on disk says the same", report.path("devices"),
                JSON.readTree(journal.toFile()).path("devices"));
        // what the devices themselves say: every one runs what it ran before, active
        for (int i = 1; i <= 5; i++) {
            assertEquals(device(i), before.get(i), running(i));
        }
        // and the rollout status command shows the same summary later, with the same exit code
        Lab.Result status = isthmusctl("rollout", "status", journal.toString());
        assertEquals(status.err(), 11, status.exit());
        assertTrue(status.out(), status.out().contains("fleet-4") && status.out().contains("rejected")
                && status.out().contains("stopped:"));
        System.out.println("FleetRolloutIT threshold: " + ms + " ms\n" + status.out());
    }

    @Test
    public void anOfflineDeviceGetsItsJobWhenItComesBackAndTheOthersCommit() throws Exception {
        Path jar = signer.version(distributionJar(), "0.1.2.fleet");
        Instant stopped = Instant.now();
        gateways[OFFLINE].terminate();
        assertTrue(gateways[OFFLINE].awaitExit(Duration.ofSeconds(15)).isPresent());
        watch.await(device(OFFLINE), false, stopped, Duration.ofSeconds(15));
        Path journal = work.resolve("rollout-offline.json");
        String url = files.put(jar.getFileName().toString(), jar);

        long t0 = System.nanoTime();
        Lab.Result r = isthmusctl("--json", "bundle", "update", "--devices", "fleet-1,fleet-2,fleet-3,fleet-5,fleet-6",
                "--canary", "1", "--wave", "2", "--max-failures", "0", "--url", url, "--journal",
                journal.toString(), jar.toString());
        long ms = (System.nanoTime() - t0) / 1_000_000;

        String transcript = "exit " + r.exit() + " after " + ms + " ms\n" + r.out() + "\n" + r.err();
        assertEquals("not every device committed (one pending): " + transcript, 10, r.exit());
        Map<String, JsonNode> d = byDevice(JSON.readTree(r.out()));
        for (String good : List.of("fleet-1", "fleet-2", "fleet-3", "fleet-5")) {
            assertEquals(transcript, "committed", d.get(good).path("outcome").asText());
            assertEquals(transcript, "0.1.2.fleet", d.get(good).path("to").asText());
        }
        assertEquals(transcript, "pending", d.get("fleet-6").path("outcome").asText());
        String topic = "isthmus/v1/fleet-6/cmd/bundle.update";
        assertTrue("the job waits on the broker", watch.retained(topic, Duration.ofSeconds(3)).isPresent());

        Instant back = Instant.now();
        t0 = System.nanoTime();
        gateways[OFFLINE] = start(OFFLINE);
        assertTrue(gateways[OFFLINE].transcript(), gateways[OFFLINE].awaitReady(READY).isPresent());
        watch.await(device(OFFLINE), true, back, Duration.ofSeconds(30));
        long ready = (System.nanoTime() - t0) / 1_000_000;
        Lab.Result status = isthmusctl("--json", "rollout", "status", journal.toString(), "--wait", "90");
        long committed = (System.nanoTime() - t0) / 1_000_000;

        assertEquals(status.out() + status.err(), 0, status.exit());
        JsonNode six = byDevice(JSON.readTree(status.out())).get("fleet-6");
        assertEquals(status.out(), "committed", six.path("outcome").asText());
        assertEquals("0.1.2.fleet", running(OFFLINE));
        for (int i : List.of(1, 2, 3, 5)) {
            assertEquals(device(i), "0.1.2.fleet", running(i));
        }
        assertFalse("the retained job is withdrawn once its outcome is known",
                watch.retained(topic, Duration.ofSeconds(2)).isPresent());
        System.out.println("FleetRolloutIT offline: rollout " + ms + " ms; fleet-6 restarted: online " + ready
                + " ms, its job committed and seen by rollout status " + committed + " ms\n" + status.out());
    }

    @Test
    public void anInlineTransferResumesAfterABrokerCrashWithTheMissingChunks() throws Exception {
        Path jar = signer.version(distributionJar(), "0.1.3.fleet", 2 * 1024 * 1024);
        List<String> cmd = new ArrayList<>(List.of(cli().toString(), "--broker", FleetNet.BROKER, "--timeout", "5",
                "bundle", "update", "fleet-2", "--chunk-size", "16384", "--journal",
                work.resolve("rollout-resume.json").toString(), jar.toString()));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).start();
        List<String> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getErrorStream()))) {
                r.lines().forEach(progress::add);
            } catch (java.io.IOException e) {
                // the CLI ended
            }
        });
        reader.start();
        String out;
        try {
            // plain progress (not a terminal): "fleet-2: receiving 25%" once a quarter is through
            assertTrue("transfer under way: " + progress, Lab.within(Duration.ofSeconds(60),
                    () -> progress.contains("fleet-2: receiving 25%")) >= 0);
            net.restartBroker();
            // what the CLI and fleet-2 said, should it hang (it did once in a full run, and said nothing then)
            assertTrue("the CLI finished; its progress: " + progress + "\nfleet-2:\n" + gateways[2].transcript(),
                    p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS));
            out = new String(p.getInputStream().readAllBytes());
        } finally {
            p.destroyForcibly();
        }
        reader.join(5000);
        String transcript = out + "\n" + String.join("\n", progress);
        assertTrue("resumed after the crash, not finished before it:\n" + transcript,
                progress.contains("fleet-2: resuming"));
        assertEquals(transcript, 0, p.exitValue());
        assertTrue(transcript, out.contains("committed"));
        assertEquals("0.1.3.fleet", running(2));
        System.out.println("FleetRolloutIT resume: " + jar.toFile().length() + " bytes inline, broker killed at 25 %, "
                + (System.nanoTime() - t0) / 1_000_000 + " ms to committed\n" + transcript);
    }
}
