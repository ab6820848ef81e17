package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * The gateway's state directory on a small real filesystem (a 32 MiB tmpfs) that another process fills to the
 * last byte, with the gateway connected to the lab's Mosquitto: {@code status} and events still go out (from
 * memory), {@code status} shows the condition and the free space, the log says so a bounded number of times, and
 * the journal is written again once there is room.
 */
public class ManagementDiskFullIT {
    static final String DEVICE = DeployLab.DEVICE;

    @Rule
    public Timeout timeout = Timeout.seconds(240);

    static DeployLab env;
    static Path state;
    static boolean mounted;
    static MqttTestClient client;

    @BeforeClass
    public static void up() throws Exception {
        assumeTrue("needs root for network namespaces and mounts", "root".equals(System.getProperty("user.name")));
        env = DeployLab.up("disk-full");
        state = env.state;
        java.nio.file.Files.createDirectories(state);
        Lab.Result m = Lab.run(List.of("mount", "-t", "tmpfs", "-o", "size=32m", "isthmus-it-state",
                state.toString()), Duration.ofSeconds(5));
        assumeTrue("tmpfs mount: " + m.err(), m.ok());
        mounted = true;
        env.startGateway();
        client = env.client("it-disk");
        client.subscribe("isthmus/v1/" + DEVICE + "/evt/test");
    }

    @AfterClass
    public static void down() throws Exception {
        try {
            if (env != null && env.gateway != null) {
                env.gateway.close();
            }
        } finally {
            if (mounted) {
                Lab.run(List.of("umount", "-l", state.toString()), Duration.ofSeconds(5));
            }
            if (env != null) {
                env.close();
            }
        }
    }

    JsonNode status() throws Exception {
        JsonNode r = client.request(DEVICE, "status", Map.of(), Duration.ofSeconds(10));
        assertEquals(r.toString(), 200, r.path("status").asInt());
        return r.path("body");
    }

    static void fill(Path file) throws Exception {
        // to the last page: big blocks first, then small ones; dd ends with "No space left on device" (expected)
        for (String bs : List.of("1M", "4k")) {
            Lab.run(List.of("dd", "if=/dev/zero", "of=" + file + "-" + bs, "bs=" + bs), Duration.ofSeconds(30));
        }
    }

    @Test
    public void onAFullStateDiskStatusAndEventsStillGoOutAndSaySoAndTheJournalComesBack() throws Exception {
        JsonNode before = status();
        assertEquals("ok", before.at("/management/outbox/journal").asText());
        assertEquals(state.toString(), before.at("/stateDir/path").asText());
        assertTrue(before.toString(), before.at("/stateDir/freeBytes").asLong() > 0);

        fill(state.resolve("fill"));
        int logBefore = env.gateway.stdout().size();

        // every request answered: the replies go out from memory
        AtomicReference<JsonNode> last = new AtomicReference<>();
        for (int i = 0; i < 200; i++) {
            last.set(status());
        }
        JsonNode full = last.get();
        assertTrue(full.toString(), full.at("/management/outbox/journal").asText().startsWith("memory-only ("));
        assertTrue("the state disk is full: " + full.path("stateDir"),
                full.at("/stateDir/freeBytes").asLong() < full.at("/management/outbox/reserveBytes").asLong());
        assertEquals(0, full.at("/management/outbox/dropped").asLong());

        // events too
        JsonNode queued = client.request(DEVICE, "diag.events", Map.of("count", 50, "tag", "diskfull"),
                Duration.ofSeconds(10));
        assertEquals(queued.toString(), 200, queued.path("status").asInt());
        assertTrue("50 events arrive", Lab.within(Duration.ofSeconds(10), () -> client.on("/evt/test").stream()
                .filter(e -> "diskfull".equals(e.json().at("/body/tag").asText())).count() == 50) >= 0);

        // config.put cannot write its generation: a clean error reply (from memory), nothing committed
        long generation = full.at("/generation/number").asLong();
        JsonNode document = client.request(DEVICE, "config.get", Map.of(), Duration.ofSeconds(10)).at("/body/document");
        JsonNode put = client.request(DEVICE, "config.put", Map.of("document", document), Duration.ofSeconds(60));
        assertTrue("config.put on a full disk: " + put, put.path("status").asInt() >= 400
                && put.at("/error/message").asText().contains("No space left on device"));
        assertEquals(generation, status().at("/generation/number").asLong());

        // the log heard about it, but not once per message
        List<String> log = env.gateway.stdout().subList(logBefore, env.gateway.stdout().size());
        long errors = log.stream().filter(l -> l.contains(" ERROR ")).count();
        assertTrue("the journal problem is logged: " + log, log.stream().anyMatch(l -> l.contains("outbox")
                && l.contains("disk full")));
        assertTrue(errors + " error lines for 250 messages:\n" + String.join("\n", log), errors <= 5);

        // room again: the journal is written again within its retry interval (5 s) plus a message
        Lab.run(List.of("sh", "-c", "rm -f " + state.resolve("fill") + "-*"), Duration.ofSeconds(5));
        assertTrue("the journal comes back", Lab.within(Duration.ofSeconds(15), () -> {
            try {
                return "ok".equals(status().at("/management/outbox/journal").asText());
            } catch (Exception e) {
                return false;
            }
        }) >= 0);
    }
}
