package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * Field updates end to end (docs/deploy.md): Mosquitto in the lab's internet, the x86-industrial gateway in gw,
 * driven only over MQTT from this JVM; bundles built and signed here with a key the gateway's trust store holds.
 * Every bad jar is rejected before anything changes; every bad-but-installable bundle is rolled back within its
 * health window and the gateway stays manageable; good updates inline and by HTTPS (with a dropped connection)
 * commit and survive a restart; rollback, uninstall and the one-job-per-bundle rule.
 */
public class DeploySystemIT {
    static final String DEVICE = DeployLab.DEVICE;
    static final String PROBE = DeployBundles.PROBE;
    static final Duration OUTCOME = Duration.ofSeconds(60);
    static final int CHUNK = 4096;

    @Rule
    public Timeout timeout = Timeout.seconds(300);

    static DeployLab env;
    static Path work;
    static Path signer;
    static Path rogue;
    static DeployHttps https;
    static MqttTestClient client;
    static DeployClient deploy;

    @BeforeClass
    public static void up() throws Exception {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        env = DeployLab.up("deploy");
        work = env.work;
        // the gateway trusts "signer" for bundles and "https" for downloads; "rogue" is a stranger
        signer = env.signer;
        rogue = DeployBundles.key(env.keys, "rogue", env.keys.resolve("rogue.pem"));
        https = env.https();
        env.startGateway();
        client = env.client("it-deploy");
        deploy = new DeployClient(client, DEVICE);
    }

    @AfterClass
    public static void down() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    /** Every test starts from a signed probe 1.0.0 installed in the field. */
    @Before
    public void probeInstalled() throws Exception {
        Optional<JsonNode> probe = deploy.bundle(PROBE);
        if (probe.isPresent() && probe.get().path("version").asText().equals("1.0.0")) {
            return;
        }
        if (probe.isPresent()) {
            JsonNode un = deploy.request("bundle.uninstall", Map.of("bundle", PROBE, "healthWindowMs", 5000));
            assertEquals(un.toString(), 200, un.path("status").asInt());
            assertEquals("committed", deploy.outcome(un.at("/body/job").asText(), OUTCOME).path("outcome").asText());
        }
        String job = DeployClient.job();
        assertEquals(200, deploy.inline("bundle.install", job, PROBE, signed(DeployBundles.good(work, "1.0.0")), CHUNK,
                5000, Map.of()).path("status").asInt());
        assertEquals("committed", deploy.outcome(job, OUTCOME).path("outcome").asText());
    }

    static Path signed(Path jar) throws Exception {
        return DeployBundles.sign(jar, signer, jar.resolveSibling("signed-" + jar.getFileName()));
    }

    // --- rejected before any change ----------------------------------------------------------------------

    @Test
    public void badJarsAreRejectedBeforeAnyChangeWithAClearReason() throws Exception {
        Path good = signed(DeployBundles.good(work, "1.0.1"));
        Path roguePath = DeployBundles.sign(DeployBundles.good(work, "1.0.2"), rogue, work.resolve("rogue.jar"));
        Path unsigned = DeployBundles.good(work, "1.0.3");
        Path plain = signed(DeployBundles.notABundle(work));
        Path unresolvable = signed(DeployBundles.unresolvable(work, "1.0.4"));
        Path tampered = work.resolve("tampered.jar");
        Files.write(tampered, tamper(Files.readAllBytes(signed(DeployBundles.good(work, "1.0.5")))));

        reject("sha256 mismatch", good, Map.of("sha256", "0".repeat(64)));
        reject("not signed by a trusted certificate", roguePath, Map.of());
        reject("unsigned bundle refused by policy requireSigned", unsigned, Map.of());
        reject("not an OSGi bundle (no Bundle-SymbolicName)", plain, Map.of());
        reject("unresolvable: missing package org.nowhere [1.2.0,2.0.0)", unresolvable, Map.of());
        reject("signature: invalid", tampered, Map.of());

        // truncated: the server has fewer bytes than the request says
        String job = DeployClient.job();
        Map<String, Object> r = new LinkedHashMap<>(DeployBundles.describe(good));
        r.put("size", Files.size(good) + 1000);
        r.put("job", job);
        r.put("bundle", PROBE);
        r.put("source", Map.of("url", https.put("short.jar", good)));
        assertEquals(200, deploy.request("bundle.update", r).path("status").asInt());
        assertRejected("transfer incomplete", job);
        JsonNode probe = deploy.bundle(PROBE).orElseThrow();
        assertEquals("the running bundle is untouched", "1.0.0", probe.path("version").asText());
        assertEquals("ACTIVE", probe.path("state").asText());
        assertTrue("the rejection event says why", client.on("/evt/deploy").stream().anyMatch(ev -> "rejected".equals(
                ev.json().at("/body/state").asText()) && ev.json().at("/body/reason").asText().contains("sha256")));

        // a chunk of the wrong length is refused at once, with its pointer
        String j2 = DeployClient.job();
        JsonNode accepted = deploy.request("bundle.update", Map.of("job", j2, "bundle", PROBE, "sha256",
                DeployBundles.sha256(good), "size", Files.size(good), "source", Map.of("inline", Map.of("chunkSize",
                        CHUNK))));
        assertEquals(200, accepted.path("status").asInt());
        JsonNode chunk = deploy.chunk(j2, 0, new byte[10], 0, 10);
        assertEquals(chunk.toString(), 400, chunk.path("status").asInt());
        assertEquals("/data", chunk.at("/error/pointer").asText());
        // bad requests: a pointer to what is wrong
        JsonNode bad = deploy.request("bundle.update", Map.of("bundle", PROBE, "sha256", "xyz", "size", 1,
                "source", Map.of("url", "https://example.invalid/x.jar")));
        assertEquals(400, bad.path("status").asInt());
        assertEquals("/sha256", bad.at("/error/pointer").asText());
        JsonNode self = deploy.request("bundle.update", Map.of("bundle", "io.isthmus.deploy", "sha256",
                "0".repeat(64), "size", 1, "source", Map.of("url", "https://example.invalid/x.jar")));
        assertEquals(409, self.path("status").asInt());
    }

    /** One job per bundle: each bad jar is sent once the previous job has its outcome. */
    private void reject(String reason, Path jar, Map<String, Object> override) throws Exception {
        String job = DeployClient.job();
        JsonNode accepted = deploy.inline("bundle.update", job, PROBE, jar, CHUNK, 5000, override);
        assertEquals(accepted.toString(), 200, accepted.path("status").asInt());
        assertRejected(reason, job);
    }

    private void assertRejected(String reason, String job) throws Exception {
        JsonNode outcome = deploy.outcome(job, OUTCOME);
        assertEquals(reason + ": " + outcome, "rejected", outcome.path("outcome").asText());
        assertTrue(reason + ": " + outcome, outcome.path("reason").asText().contains(reason));
    }

    /** Flips one byte of the class file in a signed jar: its digest in the signed manifest no longer matches. */
    private static byte[] tamper(byte[] signedJar) throws Exception {
        Path in = Files.createTempFile(work, "t", ".jar");
        Files.write(in, signedJar);
        Path out = Files.createTempFile(work, "t", ".jar");
        try (java.util.jar.JarFile jf = new java.util.jar.JarFile(in.toFile(), false);
                java.util.jar.JarOutputStream jo = new java.util.jar.JarOutputStream(Files.newOutputStream(out))) {
            for (var en = jf.entries(); en.hasMoreElements();) {
                var e = en.nextElement();
                byte[] data = jf.getInputStream(e).readAllBytes();
                if (e.getName().endsWith(".class")) {
                    data[data.length - 1] ^= 1;
                }
                jo.putNextEntry(new java.util.jar.JarEntry(e.getName()));
                jo.write(data);
                jo.closeEntry();
            }
        }
        return Files.readAllBytes(out);
    }

    // --- rolled back within the health window ------------------------------------------------------------

    @Test
    public void badBundlesAreRolledBackWithinTheHealthWindowAndTheGatewayStaysManageable() throws Exception {
        record Case(Path jar, long windowMs, String reason) {
        }
        List<Case> cases = List.of(
                new Case(signed(DeployBundles.failing(work, "1.1.1")), 5000, "activation failed"),
                new Case(signed(DeployBundles.needy(work, "1.1.2")), 4000, "component io.isthmus.test.Needy not "
                        + "satisfied"),
                new Case(signed(DeployBundles.brokerCut(work, "1.1.3")), 8000, "management broker not reachable"));
        for (Case c : cases) {
            String job = DeployClient.job();
            long start = System.nanoTime();
            assertEquals(200, deploy.inline("bundle.update", job, PROBE, c.jar(), CHUNK, c.windowMs(), Map.of())
                    .path("status").asInt());
            JsonNode outcome = deploy.outcome(job, OUTCOME);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(outcome.toString(), "rolledBack", outcome.path("outcome").asText());
            assertTrue(outcome.toString(), outcome.path("reason").asText().contains(c.reason()));
            // the window, the restore and (for the broker cut) the agent's reconnect bound it
            assertTrue(c.reason() + " took " + tookMs + " ms", tookMs < c.windowMs() * 2 + 15000);
            JsonNode probe = deploy.bundle(PROBE).orElseThrow();
            assertEquals(c.reason(), "1.0.0", probe.path("version").asText());
            assertEquals(c.reason(), "ACTIVE", probe.path("state").asText());
            assertTrue("a status round-trip works after " + c.reason(), deploy.manageable());
        }
        assertTrue("the broker-cut table is empty again", !env.lab.exec("gw", "nft", "list", "table", "inet",
                "isthmus_deploy_cut").out().contains("dport"));
    }

    /**
     * An update of the management agent itself that starts fine (ACTIVE, nothing unsatisfied, the broker reachable by
     * TCP) but never speaks MQTT: committing it would leave the gateway unmanageable for good. The health window
     * requires the agent's session back, so the real agent is restored and answers again.
     */
    @Test
    public void anAgentUpdateThatNeverReconnectsIsRolledBackAndTheGatewayAnswersAgain() throws Exception {
        String mgmt = "io.isthmus.mgmt";
        String before = deploy.bundle(mgmt).orElseThrow().path("version").asText();
        Path mute = signed(DeployBundles.probe(work.resolve("mute-agent.jar"), "9.0.0", Map.of("Bundle-SymbolicName",
                mgmt), List.of(), Map.of("readme.txt", "an agent that never connects")));
        String job = DeployClient.job();
        assertEquals(200, deploy.inline("bundle.update", job, mgmt, mute, CHUNK, 5000, Map.of()).path("status")
                .asInt());
        JsonNode outcome = deploy.outcome(job, OUTCOME);
        assertEquals(outcome.toString(), "rolledBack", outcome.path("outcome").asText());
        assertTrue(outcome.toString(), outcome.path("reason").asText().contains("management agent gone"));
        assertEquals(before, deploy.bundle(mgmt).orElseThrow().path("version").asText());
        assertTrue("a status round-trip works after the agent was restored", deploy.manageable());
    }

    // --- good updates -------------------------------------------------------------------------------------

    @Test
    public void goodUpdatesInlineAndByHttpsCommitSurviveARestartAndRollBack() throws Exception {
        String j1 = DeployClient.job();
        assertEquals(200, deploy.inline("bundle.update", j1, PROBE, signed(DeployBundles.good(work, "1.2.0")), 1024,
                5000, Map.of()).path("status").asInt());
        JsonNode o1 = deploy.outcome(j1, OUTCOME);
        assertEquals(o1.toString(), "committed", o1.path("outcome").asText());
        assertEquals("1.2.0", o1.path("version").asText());
        assertEquals("1.0.0", o1.path("previousVersion").asText());

        // by HTTPS, the first connection dropped after 3000 bytes: the gateway resumes with a Range request
        Path v13 = signed(DeployBundles.padded(work, "1.3.0", 20000));
        String url = https.put("probe-1.3.0.jar", v13);
        https.dropOnce("probe-1.3.0.jar", 3000);
        int ranges = https.rangeRequests.get();
        String j2 = DeployClient.job();
        assertEquals(200, deploy.url("bundle.update", j2, PROBE, v13, url, 5000).path("status").asInt());
        JsonNode o2 = deploy.outcome(j2, OUTCOME);
        assertEquals(o2.toString(), "committed", o2.path("outcome").asText());
        assertTrue("resumed with a Range request", https.rangeRequests.get() > ranges);
        JsonNode listed = deploy.bundle(PROBE).orElseThrow();
        assertEquals("1.3.0", listed.path("version").asText());
        assertEquals("1.2.0", listed.path("previousVersion").asText());
        assertEquals("field", listed.path("origin").asText());
        assertEquals(DeployBundles.sha256(v13), listed.path("sha256").asText());
        assertTrue("progress events with bytes", client.on("/evt/deploy").stream().anyMatch(e -> j2.equals(
                e.json().at("/body/job").asText()) && e.json().at("/body/bytes").asLong() > 0));

        // restart: the field update is still there
        env.gateway.close();
        // while the gateway is away, a job for it waits retained on the broker (offline devices)
        Path v15 = signed(DeployBundles.good(work, "1.5.0"));
        String offline = DeployClient.job();
        Map<String, Object> retained = new LinkedHashMap<>(DeployBundles.describe(v15));
        retained.putAll(Map.of("job", offline, "bundle", PROBE, "healthWindowMs", 5000, "replyTo",
                "test/offline/" + offline, "source", Map.of("url", https.put("probe-1.5.0.jar", v15))));
        String topic = "isthmus/v1/" + DEVICE + "/cmd/bundle.update";
        publishRetained(topic, MqttTestClient.JSON.writeValueAsBytes(retained));
        env.startGateway();
        JsonNode o3 = deploy.outcome(offline, OUTCOME);
        assertEquals("the retained job ran after the gateway came back: " + o3, "committed",
                o3.path("outcome").asText());
        publishRetained(topic, new byte[0]); // the sender clears it once it has the outcome
        listed = deploy.bundle(PROBE).orElseThrow();
        assertEquals("1.5.0", listed.path("version").asText());
        assertEquals("1.3.0", listed.path("previousVersion").asText());
        assertEquals("ACTIVE", listed.path("state").asText());
        // a finished job is remembered across the restart
        assertEquals("committed", deploy.request("bundle.job", Map.of("job", j2)).at("/body/outcome").asText());

        // rollback: back to 1.3.0 through the same health window
        JsonNode rb = deploy.request("bundle.rollback", Map.of("bundle", PROBE, "healthWindowMs", 5000));
        assertEquals(rb.toString(), 200, rb.path("status").asInt());
        assertEquals("committed", deploy.outcome(rb.at("/body/job").asText(), OUTCOME).path("outcome").asText());
        assertEquals("1.3.0", deploy.bundle(PROBE).orElseThrow().path("version").asText());

        // uninstall a field bundle; a distribution bundle refuses
        JsonNode firewall = deploy.request("bundle.uninstall", Map.of("bundle", "io.isthmus.firewall"));
        assertEquals(409, firewall.path("status").asInt());
        assertTrue(firewall.at("/error/message").asText().contains("bundle.stop"));
        JsonNode un = deploy.request("bundle.uninstall", Map.of("bundle", PROBE, "healthWindowMs", 5000));
        assertEquals(200, un.path("status").asInt());
        assertEquals("committed", deploy.outcome(un.at("/body/job").asText(), OUTCOME).path("outcome").asText());
        assertFalse(deploy.bundle(PROBE).isPresent());
    }

    @Test
    public void aChangeInterruptedByStoppingTheDeployBundleIsUndoneWhenItStartsAgain() throws Exception {
        String job = DeployClient.job();
        assertEquals(200, deploy.inline("bundle.update", job, PROBE, signed(DeployBundles.needy(work, "1.9.0")), CHUNK,
                20000, Map.of()).path("status").asInt());
        assertTrue("in its health window", Lab.within(Duration.ofSeconds(20), () -> client.on("/evt/deploy").stream()
                .anyMatch(e -> job.equals(e.json().at("/body/job").asText())
                        && "health".equals(e.json().at("/body/state").asText()))) >= 0);
        assertEquals("1.9.0", deploy.bundle(PROBE).orElseThrow().path("version").asText());
        assertEquals(200, deploy.request("bundle.stop", Map.of("bundle", "io.isthmus.deploy")).path("status").asInt());
        assertEquals(200, deploy.request("bundle.start", Map.of("bundle", "io.isthmus.deploy")).path("status")
                .asInt());
        JsonNode o = deploy.outcome(job, OUTCOME);
        assertEquals(o.toString(), "failed", o.path("outcome").asText());
        // decided as the deploy bundle starts, before its event publisher is bound: evt/deploy still carries it
        assertTrue("evt/deploy carries the outcome decided at start: " + client.on("/evt/deploy"),
                Lab.within(Duration.ofSeconds(10), () -> client.on("/evt/deploy").stream().anyMatch(e -> job.equals(
                        e.json().at("/body/job").asText()) && "failed".equals(e.json().at("/body/outcome").asText())
                        && e.json().at("/body/reason").asText().contains("restart"))) >= 0);
        // the committed jar goes back first, then the pending record is cleared (a crash in between: the launcher
        // restores it again): wait for both
        assertTrue("back on 1.0.0 with no pending change in the store", Lab.within(Duration.ofSeconds(20), () -> {
            try {
                return "1.0.0".equals(deploy.bundle(PROBE).orElseThrow().path("version").asText())
                        && !MqttTestClient.JSON.readTree(env.state.resolve("deploy/store.json").toFile()).toString()
                                .contains("pending");
            } catch (Exception e) {
                return false;
            }
        }) >= 0);
        // and the next job runs normally
        assertEquals("committed", update(signed(DeployBundles.good(work, "1.9.1")), Map.of()).path("outcome")
                .asText());
    }

    // --- exported packages and refresh ----------------------------------------------------------------------

    @Test
    public void anUpdateThatChangesPackagesOthersImportNeedsRefreshAndIsWatchedWithThem() throws Exception {
        String importer = "io.isthmus.test.importer";
        assertEquals("committed", update(exporter("1.6.0", "1.0.0"), Map.of()).path("outcome").asText());
        Path imp = signed(DeployBundles.probe(work.resolve("importer.jar"), "1.0.0", Map.of("Bundle-SymbolicName",
                importer, "Import-Package", "io.isthmus.test.shared;version=\"[1.0,2)\""), List.of(),
                Map.of("readme.txt", "imports io.isthmus.test.shared")));
        String job = DeployClient.job();
        assertEquals(200, deploy.inline("bundle.install", job, importer, imp, CHUNK, 5000, Map.of()).path("status")
                .asInt());
        assertEquals("committed", deploy.outcome(job, OUTCOME).path("outcome").asText());
        try {
            // shared 2.0.0 no longer satisfies the importer's [1.0,2)
            JsonNode o = update(exporter("1.7.0", "2.0.0"), Map.of());
            assertEquals(o.toString(), "rejected", o.path("outcome").asText());
            assertEquals("exports changed packages used by " + importer + ": needs refresh=true",
                    o.path("reason").asText());
            // with refresh the importer is refreshed too, cannot resolve, and both go back
            o = update(exporter("1.7.1", "2.0.0"), Map.of("refresh", true));
            assertEquals(o.toString(), "rolledBack", o.path("outcome").asText());
            assertTrue(o.toString(), o.path("reason").asText().contains(importer));
            assertEquals("1.6.0", deploy.bundle(PROBE).orElseThrow().path("version").asText());
            assertEquals("ACTIVE", deploy.bundle(importer).orElseThrow().path("state").asText());
            // a compatible change with refresh: committed, the importer wired to the new revision and ACTIVE
            o = update(exporter("1.8.0", "1.1.0"), Map.of("refresh", true));
            assertEquals(o.toString(), "committed", o.path("outcome").asText());
            assertEquals("ACTIVE", deploy.bundle(importer).orElseThrow().path("state").asText());
        } finally {
            JsonNode un = deploy.request("bundle.uninstall", Map.of("bundle", importer, "healthWindowMs", 5000));
            deploy.outcome(un.at("/body/job").asText(), OUTCOME);
        }
    }

    private Path exporter(String version, String packageVersion) throws Exception {
        return signed(DeployBundles.probe(work.resolve("exporter-" + version + ".jar"), version, Map.of(
                "Bundle-Activator", "io.isthmus.itests.deploybundle.ProbeActivator", "Import-Package",
                DeployBundles.IMPORTS, "Export-Package", "io.isthmus.test.shared;version=" + packageVersion),
                List.of("ProbeActivator"), Map.of("io/isthmus/test/shared/readme.txt", "a package to export")));
    }

    private JsonNode update(Path jar, Map<String, Object> extra) throws Exception {
        String job = DeployClient.job();
        assertEquals(200, deploy.inline("bundle.update", job, PROBE, jar, CHUNK, 5000, extra).path("status").asInt());
        return deploy.outcome(job, OUTCOME);
    }

    static void publishRetained(String topic, byte[] payload) throws Exception {
        var c = new org.eclipse.paho.mqttv5.client.MqttClient(MqttLab.BROKER, "it-retain-" + UUID.randomUUID(),
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        c.connect();
        try {
            c.publish(topic, payload, 1, true);
        } finally {
            c.disconnect();
            c.close();
        }
    }

    @Test
    public void oneJobPerBundleSecondRequestIs409AndARepeatedJobIdIsTheSameJob() throws Exception {
        Path v = signed(DeployBundles.good(work, "1.4.0"));
        String job = DeployClient.job();
        Map<String, Object> r = new LinkedHashMap<>(DeployBundles.describe(v));
        r.put("job", job);
        r.put("bundle", PROBE);
        r.put("source", Map.of("inline", Map.of("chunkSize", CHUNK)));
        JsonNode first = deploy.request("bundle.update", r);
        assertEquals(200, first.path("status").asInt());
        assertTrue(first.at("/body/chunks").asInt() >= 1);
        JsonNode again = deploy.request("bundle.update", r);
        assertEquals("same job id: same job", 200, again.path("status").asInt());
        assertEquals(job, again.at("/body/job").asText());
        r.put("job", DeployClient.job());
        JsonNode second = deploy.request("bundle.update", r);
        assertEquals(second.toString(), 409, second.path("status").asInt());
        assertEquals("busy", second.at("/error/code").asText());
        // finish the first: chunks in reverse order, one twice
        byte[] bytes = Files.readAllBytes(v);
        int n = (bytes.length + CHUNK - 1) / CHUNK;
        for (int i = n - 1; i >= 0; i--) {
            assertEquals(200, deploy.chunk(job, i, bytes, i * CHUNK, Math.min(CHUNK, bytes.length - i * CHUNK))
                    .path("status").asInt());
        }
        assertEquals("committed", deploy.outcome(job, OUTCOME).path("outcome").asText());
        assertEquals(404, deploy.request("bundle.job", Map.of("job", "nope")).path("status").asInt());
    }
}
