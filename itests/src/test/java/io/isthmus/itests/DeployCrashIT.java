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
 * (receiving, verifying, installing, health, just after commit), picked by the job's own events plus a random
 * delay. After each restart the probe bundle runs either the old or the new version, ACTIVE; store.json has no
 * pending change and names the running version; the jar it names is there; bundles.list says which.
 */
public class DeployCrashIT {
    static final String DEVICE = DeployLab.DEVICE;
    static final String PROBE = DeployBundles.PROBE;
    static final int TRIALS = Integer.getInteger("isthmus.deploy.crashTrials", 20);
    static final List<String> POINTS = List.of("receiving", "verifying", "installing", "health", "committed");
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
            String point = POINTS.get(trial % POINTS.size());
            // a bundle that never becomes healthy keeps the job in its health window; the others commit
            boolean needy = "health".equals(point) && trial % 2 == 0;
            String version = "2.0." + trial;
            Path jar = signed(needy ? DeployBundles.needy(work, version)
                    : DeployBundles.padded(work, version, 300_000 + random.nextInt(200_000)));
            String job = DeployClient.job();
            client.received.clear();
            long delayMs = random.nextInt(150);
            // receiving: the kill comes between chunks; the others: after the job's event says so
            byte[] bytes = Files.readAllBytes(jar);
            int chunk = 64 * 1024;
            Map<String, Object> r = new LinkedHashMap<>(DeployBundles.describe(jar));
            r.putAll(Map.of("job", job, "bundle", PROBE, "source", Map.of("inline", Map.of("chunkSize", chunk)),
                    "healthWindowMs", 3000));
            JsonNode accepted = deploy.request("bundle.update", r);
            assertEquals(accepted.toString(), 200, accepted.path("status").asInt());
            int chunks = (bytes.length + chunk - 1) / chunk;
            int sendBeforeKill = "receiving".equals(point) ? 1 + random.nextInt(chunks - 1) : chunks;
            for (int i = 0; i < sendBeforeKill; i++) {
                deploy.chunk(job, i, bytes, i * chunk, Math.min(chunk, bytes.length - i * chunk));
            }
            if (!"receiving".equals(point)) {
                Lab.within(Duration.ofSeconds(15), () -> seen(job, point));
            }
            Thread.sleep(delayMs); // a random point after the event, not a synchronisation
            String last = lastState(job);
            env.killGateway();
            killedIn.merge(last, 1, Integer::sum);
            env.startGateway();

            JsonNode listed = deploy.bundle(PROBE).orElseThrow(() -> new AssertionError("probe gone"));
            String running = listed.path("version").asText();
            assertTrue("trial " + trial + " (" + last + "): runs " + running + ", expected " + before + " or "
                    + version, Set.of(before, version).contains(running));
            assertEquals("trial " + trial, "ACTIVE", listed.path("state").asText());
            JsonNode entry = JSON.readTree(state.resolve("deploy/store.json").toFile()).path("bundles")
                    .path("field:" + PROBE);
            assertFalse("trial " + trial + ": no pending change after boot: " + entry, entry.has("pending"));
            assertEquals("trial " + trial + ": store names the running version", running,
                    entry.at("/current/version").asText());
            assertEquals(entry.at("/current/sha256").asText(), listed.path("sha256").asText());
            assertTrue(Files.exists(state.resolve("deploy/jars/" + entry.at("/current/sha256").asText() + ".jar")));

            JsonNode j = deploy.request("bundle.job", Map.of("job", job)).path("body");
            if ("receiving".equals(j.path("state").asText())) {
                // resumable: send what is missing, the job finishes
                for (JsonNode m : j.path("missing")) {
                    int i = m.asInt();
                    deploy.chunk(job, i, bytes, i * chunk, Math.min(chunk, bytes.length - i * chunk));
                }
                JsonNode o = deploy.outcome(job, Duration.ofSeconds(30));
                assertEquals("resumed after restart: " + o, needy ? "rolledBack" : "committed",
                        o.path("outcome").asText());
                running = deploy.bundle(PROBE).orElseThrow().path("version").asText();
            } else {
                assertTrue("job " + job + " has an outcome: " + j, j.has("outcome"));
            }
            report.add(String.format("trial %2d: killed in %-10s (+%3d ms) → runs %s, job %s", trial, last, delayMs,
                    running, j.path("outcome").asText(j.path("state").asText())));
        }
        System.out.println(String.join("\n", report));
        System.out.println("killed in: " + killedIn + "; " + TRIALS + " trials in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
        assertTrue("kills spread over the flow: " + killedIn, killedIn.size() >= 4);
    }

    private static boolean seen(String job, String state) {
        return client.on("/evt/deploy").stream().anyMatch(e -> job.equals(e.json().at("/body/job").asText())
                && POINTS.indexOf(e.json().at("/body/state").asText()) >= POINTS.indexOf(state));
    }

    private static String lastState(String job) {
        String last = "receiving";
        for (MqttTestClient.Received e : client.on("/evt/deploy")) {
            if (job.equals(e.json().at("/body/job").asText())) {
                last = e.json().at("/body/state").asText();
            }
        }
        return last;
    }
}
