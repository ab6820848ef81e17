package io.isthmus.mgmt.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.mgmt.CommandHandler;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


/** Requests in, replies out, with fake handlers: the shapes and status codes of docs/mqtt.md. */
class DispatcherTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Topics TOPICS = new Topics("gw-1");

    record Sent(String topic, Optional<byte[]> correlation, JsonNode json) {
    }

    final Map<String, Dispatcher.Registered> handlers = new ConcurrentHashMap<>();
    final List<Sent> sent = new CopyOnWriteArrayList<>();
    final List<String> warnings = new CopyOnWriteArrayList<>();
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final CommandLanes lanes = new CommandLanes(1, 2, 8);
    final Dispatcher dispatcher = new Dispatcher(handlers, () -> Optional.of(TOPICS), new JsonCodec(),
            new ReplyCache(Duration.ofMinutes(10), 100, System::nanoTime), lanes, timer,
            new Dispatcher.Limits(1024, Duration.ofMillis(300)), (topic, corr, json) -> {
                try {
                    sent.add(new Sent(topic, corr, JSON.readTree(json)));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }, warnings::add);

    @AfterEach
    void stop() {
        timer.shutdownNow();
        lanes.close();
    }

    void register(String command, CommandHandler h) {
        handlers.put(command, new Dispatcher.Registered(() -> h, Optional.empty()));
    }

    void request5(String command, String payload, String correlation) {
        dispatcher.handle(new Transport.Incoming("isthmus/v1/gw-1/cmd/" + command,
                payload.getBytes(StandardCharsets.UTF_8), Optional.of("ops/replies"),
                Optional.of(correlation.getBytes(StandardCharsets.UTF_8))));
    }

    void request3(String command, String payload) {
        dispatcher.handle(new Transport.Incoming("isthmus/v1/gw-1/cmd/" + command,
                payload.getBytes(StandardCharsets.UTF_8), Optional.empty(), Optional.empty()));
    }

    JsonNode awaitReply(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (sent.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(5); // polling the fake outbox
        }
        return sent.get(n - 1).json();
    }

    /** The reply whose correlation data is {@code correlation}: replies of lanes come in any order. */
    JsonNode reply(String correlation) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            for (Sent s : sent) {
                if (s.correlation().map(c -> new String(c, StandardCharsets.UTF_8)).orElse("").equals(correlation)) {
                    return s.json();
                }
            }
            Thread.sleep(5); // polling the fake outbox
        }
        throw new AssertionError("no reply " + correlation);
    }

    @Test
    void aReplyGoesToTheResponseTopicWithTheCorrelationDataAndTheId() throws Exception {
        register("status", r -> CommandReply.ok(Map.of("ok", true)));

        request5("status", "{\"id\": 7}", "c-1");

        JsonNode reply = awaitReply(1);
        assertEquals("{\"id\":7,\"status\":200,\"body\":{\"ok\":true}}", reply.toString());
        assertEquals("ops/replies", sent.get(0).topic());
        assertEquals("c-1", new String(sent.get(0).correlation().get(), StandardCharsets.UTF_8));
    }

    @Test
    void mqtt311RequestsNameTheirReplyTopic() throws Exception {
        register("status", r -> CommandReply.ok(Map.of()));

        request3("status", "{\"id\": \"a\", \"replyTo\": \"ops/r/1\"}");

        assertEquals(200, awaitReply(1).path("status").asInt());
        assertEquals("ops/r/1", sent.get(0).topic());
    }

    @Test
    void errorsHaveTheirStatusCodeAndPointer() throws Exception {
        register("config.get", r -> {
            JsonValue.root(r).optional("generation").map(v -> v.integer(1, 100));
            return CommandReply.ok(Map.of());
        });

        request5("nope", "{}", "1");
        request5("config.get", "{\"generation\": \"x\"", "2");
        request5("config.get", "{\"generation\": \"x\"}", "3");
        request5("config.get", "{\"pad\": \"" + "x".repeat(2000) + "\"}", "4");
        request5("config.get", "{\"replyTo\": \"isthmus/v1/gw-1/state\"}", "5");

        assertEquals("unknown-command", reply("1").at("/error/code").asText());
        assertEquals(404, reply("1").path("status").asInt());
        assertEquals("malformed-json", reply("2").at("/error/code").asText());
        assertEquals("/generation", reply("3").at("/error/pointer").asText());
        assertEquals(413, reply("4").path("status").asInt());
        assertEquals("/replyTo", reply("5").at("/error/pointer").asText());
    }

    @Test
    void aRepeatedIdGetsTheFirstReplyWithoutRunningAgain() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        register("diag.events", r -> CommandReply.ok(Map.of("run", runs.incrementAndGet())));

        request5("diag.events", "{\"id\": \"same\"}", "x");
        request5("diag.events", "{\"id\": \"same\"}", "y");

        assertEquals(reply("x").at("/body/run"), reply("y").at("/body/run"));
        assertEquals(1, runs.get());
    }

    @Test
    void aHandlerThatHangsGets503AndOtherCommandsStillRun() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        register("slow", r -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return CommandReply.ok(Map.of());
        });
        register("status", r -> CommandReply.ok(Map.of()));

        request5("slow", "{}", "s");
        request5("status", "{}", "t");

        assertEquals(200, reply("t").path("status").asInt()); // status does not wait for slow
        JsonNode timedOut = reply("s");
        assertEquals(503, timedOut.path("status").asInt());
        assertEquals("timeout", timedOut.at("/error/code").asText());
        release.countDown();
    }

    @Test
    void aFullLaneAnswersBusy() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        register("slow", r -> {
            try {
                release.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return CommandReply.ok(Map.of());
        });

        for (int i = 0; i < 5; i++) { // 1 running + 2 waiting fit
            request5("slow", "{}", "b" + i);
        }

        JsonNode first = awaitReply(1);
        assertEquals("busy", first.at("/error/code").asText());
        assertEquals("busy", awaitReply(2).at("/error/code").asText());
        release.countDown();
        awaitReply(5);
        assertTrue(sent.stream().filter(s -> s.json().path("status").asInt() == 200).count() >= 1);
    }

    @Test
    void otherDevicesTopicsAndRepliesWithoutADestinationAreIgnored() {
        register("status", r -> CommandReply.ok(Map.of()));

        dispatcher.handle(new Transport.Incoming("isthmus/v1/gw-2/cmd/status", new byte[0], Optional.of("x"),
                Optional.empty()));
        request3("status", "{broken");

        assertEquals(2, dispatcher.counters().ignored());
        assertEquals(List.of(), sent);
    }

    private static int recurse(int n) {
        return recurse(n + 1) + 1;
    }

    @Test
    void aHandlerThatOverflowsItsStackIsAnswered500AndNeverWedgesItsLane() throws Exception {
        register("config.validate", r -> r.containsKey("deep") ? CommandReply.ok(Map.of("n", recurse(0)))
                : CommandReply.ok(Map.of("valid", true)));

        for (int i = 0; i < 4; i++) { // the lane runs 1 at a time: before the fix, 1 overflow kept that slot
            request5("config.validate", "{\"deep\": true}", "deep-" + i);
            assertEquals(500, reply("deep-" + i).path("status").asInt());
        }
        request5("config.validate", "{}", "good");

        assertEquals(200, reply("good").path("status").asInt());
    }

    @Test
    void aLaneFreesItsSlotWhateverItsTaskThrows() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        assertTrue(lanes.submit("x", () -> {
            throw new AssertionError("an Error, not a RuntimeException");
        }));
        assertTrue(lanes.submit("x", () -> {
            throw new StackOverflowError();
        }));
        assertTrue(lanes.submit("x", ran::countDown));

        assertTrue(ran.await(5, TimeUnit.SECONDS), "the lane ran its next task");
    }

    @Test
    void aReplyTopicUnderAnyDevicesTopicsIsNeitherRunNorAnswered() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        register("config.put", r -> CommandReply.ok(Map.of("run", runs.incrementAndGet())));

        for (String topic : List.of("isthmus/v1/gw-2/cmd/config.put", "isthmus/v1/gw-1/cmd/status",
                "isthmus/v1/gw-1/evt/x", "isthmus/v1/other/anything")) {
            dispatcher.handle(new Transport.Incoming("isthmus/v1/gw-1/cmd/config.put", "{}".getBytes(
                    StandardCharsets.UTF_8), Optional.of(topic), Optional.of("c".getBytes(StandardCharsets.UTF_8))));
            request3("config.put", "{\"replyTo\": \"" + topic + "\"}");
        }
        request5("config.put", "{}", "ok");

        assertEquals(1, reply("ok").at("/body/run").asInt(), "only the last request ran");
        assertEquals(1, sent.size(), sent.toString());
        assertEquals(8, dispatcher.counters().ignored());
        assertEquals(4, warnings.size(), "logged at the 1st, 2nd, 4th, 8th refusal: " + warnings);
        assertTrue(warnings.get(0).contains("isthmus/v1/gw-2/cmd/config.put"), warnings.get(0));
    }

    @Test
    void anEmptyPayloadIsMalformedNotAnEmptyObject() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        register("config.put", r -> CommandReply.ok(Map.of("run", runs.incrementAndGet())));

        request5("config.put", "", "e");

        JsonNode reply = reply("e");
        assertEquals(400, reply.path("status").asInt());
        assertEquals("malformed-json", reply.at("/error/code").asText());
        assertEquals("", reply.at("/error/pointer").asText());
        assertEquals(0, runs.get());
    }

    @Test
    void aDuplicateKeyIsMalformedWithThePointerOfTheSecond() throws Exception {
        register("config.put", r -> CommandReply.ok(Map.of()));

        request5("config.put", "{\"document\": {\"firewall\": {}, \"firewall\": {\"portForwards\": []}}}", "d");

        JsonNode reply = reply("d");
        assertEquals("malformed-json", reply.at("/error/code").asText(), reply.toString());
        assertEquals("/document/firewall", reply.at("/error/pointer").asText());
        assertTrue(reply.at("/error/message").asText().contains("given twice"), reply.toString());
    }

    @Test
    void anUnknownCommandIsEchoedAsABoundedEscapedPrefix() throws Exception {
        request5("a\u0000b\u001b[2J" + "x".repeat(10_000), "{}", "u");

        String message = reply("u").at("/error/message").asText();
        assertTrue(message.startsWith("no command \"a\\u0000b\\u001b[2Jxxx"), message);
        assertTrue(message.length() < 400, message.length() + " characters");
    }
}
