package io.isthmus.mgmt.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isthmus.api.config.ManagementConfig.CommandPolicy;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.mgmt.transport.Topics;
import io.isthmus.mgmt.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


/** The document's command policy, as the dispatcher enforces it: 403 before any handler runs. */
class CommandPolicyTest {
    static final ObjectMapper JSON = new ObjectMapper();

    final Map<String, Dispatcher.Registered> handlers = new ConcurrentHashMap<>();
    final List<JsonNode> sent = new CopyOnWriteArrayList<>();
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final CommandLanes lanes = new CommandLanes(1, 2, 8);
    final Dispatcher dispatcher = new Dispatcher(handlers, () -> Optional.of(new Topics("gw-1")), new JsonCodec(),
            new ReplyCache(Duration.ofMinutes(10), 100, System::nanoTime), lanes, timer,
            new Dispatcher.Limits(1024, Duration.ofSeconds(5)), (topic, corr, json) -> {
                try {
                    sent.add(JSON.readTree(json));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }, warning -> { });
    final AtomicInteger runs = new AtomicInteger();

    @AfterEach
    void stop() {
        timer.shutdownNow();
        lanes.close();
    }

    JsonNode call(String command, String id) throws InterruptedException {
        int before = sent.size();
        dispatcher.handle(new Transport.Incoming("isthmus/v1/gw-1/cmd/" + command,
                ("{\"id\": \"" + id + "\"}").getBytes(StandardCharsets.UTF_8), Optional.of("ops/replies"),
                Optional.empty()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (sent.size() <= before && System.nanoTime() < deadline) {
            Thread.sleep(5); // polling the fake outbox
        }
        return sent.get(before);
    }

    @Test
    void aForbiddenCommandGets403NamingItAndNoHandlerRuns() throws Exception {
        for (String c : List.of("status", "config.put", "diag.ping", "diag.events")) {
            handlers.put(c, new Dispatcher.Registered(() -> r -> CommandReply.ok(Map.of("run", runs.incrementAndGet())),
                    Optional.empty()));
        }
        CommandPolicy policy = new CommandPolicy(List.of("status", "diag.*"), List.of("diag.events"));
        dispatcher.policy(c -> policy.allows(c) ? Optional.empty() : Optional.of("command \"" + c + "\" not allowed"));

        assertEquals(200, call("status", "1").path("status").asInt());
        assertEquals(200, call("diag.ping", "2").path("status").asInt());
        JsonNode put = call("config.put", "3");
        assertEquals(403, put.path("status").asInt());
        assertEquals("forbidden", put.at("/error/code").asText());
        assertTrue(put.at("/error/message").asText().contains("config.put"), put.toString());
        assertEquals(403, call("diag.events", "4").path("status").asInt());
        assertEquals(403, call("no.such", "5").path("status").asInt(), "forbidden before unknown: nothing is revealed");
        assertEquals(2, runs.get(), "only the allowed commands ran");

        // the policy lifted: the same id runs now (a refusal is not remembered as the id's reply)
        dispatcher.policy(c -> Optional.empty());
        assertEquals(200, call("config.put", "3").path("status").asInt());
        assertEquals(3, runs.get());
    }
}
