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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * Power cuts during field updates: the gateway is killed with SIGKILL at points spread over the whole flow
 * (receiving, verifying, installing, health, commit): between chunks, or a random delay after the last one; the
 * gateway's own job record says where the cut hit. After each restart the probe bundle runs either the old or the
 * new version (the new one exactly when the job says committed), ACTIVE; store.json has no pending change and names
 * the running version; the jar it names is there; bundles.list says which.
 */
public class DeployCrashIT {
    static final String DEVICE = DeployLab.DEVICE;
    static final String PROBE = DeployBundles.PROBE;
    static final int TRIALS = Integer.getInteger("isthmus.deploy.crashTrials", 20);
    static final ObjectMapper JSON = new ObjectMapper();

    @Rule
    public Timeout timeout = Timeout.seconds(420);

    static DeployLab env;
    static Path work;
    static Path state;
    static Path signer;
    static MqttTestClient client;
    static DeployClient deploy;

    @BeforeClass
    public static void up() throws Exception {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        env = DeployLab.up("deploy-crash");
        work = env.work;
        state = env.state;
        signer = env.signer;
        env.startGateway();
        client = env.client("it-crash");
        deploy = new DeployClient(client, DEVICE);
    }

    @AfterClass
    public static void down() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    static Path signed(Path jar) throws Exception {
        return DeployBundles.sign(jar, signer, jar.resolveSibling("signed-" + jar.getFileName()));
    }

    @Test
    public void killedAtAnyPointTheGatewayBootsTheOldOrTheNewVersionAndTheStoreAgrees() throws Exception {
        String first = DeployClient.job();
        deploy.inline("bundle.install", first, PROBE, signed(DeployBundles.good(work, "1.0.0")), 8192, 3000, Map.of());
        assertEquals("committed", deploy.outcome(first, Duration.ofSeconds(30)).path("outcome").asText());

        Random random = new Random(Long.getLong("isthmus.deploy.crashSeed", System.nanoTime()));
        List<String> report = new ArrayList<>();
        Map<String, Integer> killedIn = new LinkedHashMap<>();
        long started = System.nanoTime();
        for (int trial = 0; trial < TRIALS; trial++) {
            String before = deploy.bundle(PROBE).orElseThrow().path("version").asText();
            // where to cut: between chunks, or a delay after the last chunk drawn from a window of the flow —
            // 0-20 ms (verifying, installing), 20-100 ms (installing, health), 0.1-1 s (health), 1.1-1.6 s (commit)
            int bucket = trial % 5;
            long[][] windows = {{0, 0}, {0, 20}, {20, 100}, {100, 1000}, {1100, 1600}};
            long delayMs = windows[bucket][0] + (long) (random.nextDouble() * (windows[bucket][1]
                    - windows[bucket][0]));
            // a bundle that never becomes healthy keeps some jobs in their health window until the cut
            boolean needy = bucket == 3 && trial % 2 == 1;
            String version = "2.0." + trial;
            Path jar = signed(needy ? DeployBundles.needy(work, version)
                    : DeployBundles.padded(work, version, 1_000_000 + random.nextInt(1_000_000)));
            String job = DeployClient.job();
            byte[] bytes = Files.readAllBytes(jar);
            int chunk = 128 * 1024;
            Map<String, Object> r = new LinkedHashMap<>(DeployBundles.describe(jar));
            r.putAll(Map.of("job", job, "bundle", PROBE, "source", Map.of("inline", Map.of("chunkSize", chunk)),
                    "healthWindowMs", 3000));
            JsonNode accepted = deploy.request("bundle.update", r);
            assertEquals(accepted.toString(), 200, accepted.path("status").asInt());
            int chunks = (bytes.length + chunk - 1) / chunk;
            int sendBeforeKill = bucket == 0 ? 1 + random.nextInt(chunks - 1) : chunks;
            for (int i = 0; i < sendBeforeKill; i++) {
                deploy.chunk(job, i, bytes, i * chunk, Math.min(chunk, bytes.length - i * chunk));
            }
            Thread.sleep(delayMs); // the cut point itself: a random time into the flow, not a synchronisation
            env.killGateway();
            env.startGateway();

            JsonNode listed = deploy.bundle(PROBE).orElseThrow(() -> new AssertionError("probe gone"));
            String booted = listed.path("version").asText();
            assertTrue("trial " + trial + ": boots " + booted + ", expected " + before + " or " + version,
                    Set.of(before, version).contains(booted));
            assertEquals("trial " + trial, "ACTIVE", listed.path("state").asText());

            // where the cut hit, as the gateway itself recorded it
            JsonNode j = deploy.request("bundle.job", Map.of("job", job)).path("body");
            String phase = phase(j);
            killedIn.merge(phase, 1, Integer::sum);
            if (j.has("outcome") && j.path("reason").asText().contains("restart")) {
                // decided while the gateway boots ("interrupted by a restart during …", "committed before the
                // gateway restarted"), before any event publisher is bound: published all the same
                JsonNode decided = j;
                assertTrue("trial " + trial + ": evt/deploy carries " + decided, Lab.within(Duration.ofSeconds(15),
                        () -> client.on("/evt/deploy").stream().anyMatch(e -> job.equals(e.json().at("/body/job")
                                .asText()) && decided.path("outcome").asText().equals(e.json().at("/body/outcome")
                                        .asText()))) >= 0);
            }
            if (!j.has("outcome")) {
                // a transfer survives the cut: send what is missing (if anything); the job goes on and finishes
                for (JsonNode m : j.path("missing")) {
                    int i = m.asInt();
                    deploy.chunk(job, i, bytes, i * chunk, Math.min(chunk, bytes.length - i * chunk));
                }
                j = deploy.outcome(job, Duration.ofSeconds(30));
                assertEquals("resumed after restart: " + j, needy ? "rolledBack" : "committed",
                        j.path("outcome").asText());
            }
            String running = deploy.bundle(PROBE).orElseThrow().path("version").asText();
            assertEquals("trial " + trial + " (" + phase + "): the new version runs exactly when committed: " + j,
                    j.path("outcome").asText().equals("committed"), running.equals(version));
            JsonNode entry = JSON.readTree(state.resolve("deploy/store.json").toFile()).path("bundles")
                    .path("field:" + PROBE);
            assertFalse("trial " + trial + ": no pending change: " + entry, entry.has("pending"));
            assertEquals("trial " + trial + ": store names the running version", running,
                    entry.at("/current/version").asText());
            assertEquals(entry.at("/current/sha256").asText(), deploy.bundle(PROBE).orElseThrow().path("sha256")
                    .asText());
            assertTrue(Files.exists(state.resolve("deploy/jars/" + entry.at("/current/sha256").asText() + ".jar")));
            report.add(String.format("trial %2d: cut %4d ms after the last chunk, in %-10s → boots %s, then runs %s, "
                    + "job %s", trial, delayMs, phase, booted, running, j.path("outcome").asText()));
        }
        System.out.println(String.join("\n", report));
        System.out.println("killed in: " + killedIn + "; " + TRIALS + " trials in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
        Set<String> phases = killedIn.keySet();
        assertTrue("cuts before the change: " + killedIn, phases.contains("receiving") || phases.contains("verifying"));
        assertTrue("cuts during the change: " + killedIn, phases.contains("installing") || phases.contains("health"));
        assertTrue("cuts after the commit: " + killedIn, phases.contains("committed") || phases.contains("commit"));
    }

    /** The job's phase at the cut: receiving (still), the state it was interrupted in, or its outcome. */
    private static String phase(JsonNode job) {
        if ("receiving".equals(job.path("state").asText())) {
            return "receiving";
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("restart during (\\w+)").matcher(
                job.path("reason").asText());
        if (m.find()) {
            return m.group(1);
        }
        return job.path("reason").asText().startsWith("committed before") ? "commit" : job.path("outcome").asText();
    }
}
