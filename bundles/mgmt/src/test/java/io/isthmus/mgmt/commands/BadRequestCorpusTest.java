package io.isthmus.mgmt.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isthmus.api.config.ConfigService;
import io.isthmus.api.linux.Diagnostics;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.api.mgmt.EventPublisher;
import io.isthmus.mgmt.AgentStatus;
import io.isthmus.mgmt.dispatch.CommandLanes;
import io.isthmus.mgmt.dispatch.Dispatcher;
import io.isthmus.mgmt.dispatch.JsonCodec;
import io.isthmus.mgmt.dispatch.ReplyCache;
import io.isthmus.mgmt.transport.Topics;
import io.isthmus.mgmt.transport.Transport;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;


/**
 * Bad requests, one corpus, through the real dispatcher, JSON reader, request checks and command handlers
 * (config.validate, config.put, config.get, diag.ping). What each must get: a 4xx with a pointer, or no reply at
 * all where no reply may go; afterwards {@code status} is still answered; and nothing reaches what would change
 * the gateway. The config service and the diagnostics are stand-ins that record every call (the real ones need
 * the config bundle and the kernel; docs the config service sees are tested in the config bundle's
 * BadDocumentCorpusTest and over MQTT in ManagementSystemIT).
 */
class BadRequestCorpusTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_PAYLOAD = 262_144;

    /** One bad input: published to cmd/{@code command}, with an MQTT 5 response topic unless it is empty. */
    record Bad(String name, String command, byte[] payload, Optional<String> responseTopic, int status,
            String code, String pointerPrefix) {
        static Bad of(String name, String command, String payload, int status, String code, String pointer) {
            return new Bad(name, command, payload.getBytes(StandardCharsets.UTF_8), Optional.of("ops/replies"),
                    status, code, pointer);
        }

        /** No reply may go anywhere: the request is dropped (and counted as ignored). */
        static Bad dropped(String name, String command, String payload, Optional<String> responseTopic) {
            return new Bad(name, command, payload.getBytes(StandardCharsets.UTF_8), responseTopic, 0, null, null);
        }
    }

    static String nestedObjects(int levels) {
        return "{\"a\":".repeat(levels - 1) + "{}" + "}".repeat(levels - 1);
    }

    static String nestedArrays(int levels) {
        return "[".repeat(levels) + "]".repeat(levels);
    }

    /** Every entry; {@link #corpus()} is what the test reports trying. */
    static List<Bad> corpus() {
        List<Bad> c = new ArrayList<>();
        String deep = "/document" + "/a".repeat(31);
        for (int levels : new int[] {600, 5000}) {
            for (String command : List.of("config.validate", "config.put")) {
                c.add(Bad.of(command + " nested " + levels + " objects", command, "{\"document\": "
                        + nestedObjects(levels) + "}", 400, "malformed-json", deep));
                c.add(Bad.of(command + " nested " + levels + " arrays", command, "{\"document\": {\"routes\": "
                        + nestedArrays(levels) + "}}", 400, "malformed-json", "/document/routes/0/0/0"));
            }
            c.add(Bad.of("status nested " + levels, "status", "{\"x\": " + nestedArrays(levels) + "}", 400,
                    "malformed-json", "/x/0"));
        }
        c.add(Bad.of("a second firewall section", "config.put", "{\"document\": {\"firewall\": {\"zones\": {}}, "
                + "\"firewall\": {\"portForwards\": [{\"port\": 22}]}}}", 400, "malformed-json", "/document/firewall"));
        c.add(Bad.of("a second document", "config.put", "{\"document\": {}, \"document\": {\"dns\": {}}}", 400,
                "malformed-json", "/document"));
        c.add(Bad.of("a duplicate deep inside", "config.validate", "{\"document\": {\"ports\": {\"eth1\": "
                + "{\"mtu\": 1500, \"mtu\": 9000}}}}", 400, "malformed-json", "/document/ports/eth1/mtu"));
        c.add(Bad.of("a second dryRun", "config.put", "{\"document\": {}, \"dryRun\": true, \"dryRun\": false}",
                400, "malformed-json", "/dryRun"));
        c.add(Bad.of("an empty payload", "status", "", 400, "malformed-json", ""));
        c.add(Bad.of("a payload of white space", "config.put", " \n\t", 400, "malformed-json", ""));
        c.add(Bad.of("null", "config.put", "null", 400, "malformed-json", ""));
        c.add(Bad.of("an array", "config.put", "[{\"document\": {}}]", 400, "malformed-json", ""));
        c.add(Bad.of("a string", "status", "\"status\"", 400, "malformed-json", ""));
        c.add(Bad.of("trailing content", "config.put", "{\"document\": {}} {\"document\": {}}", 400,
                "malformed-json", ""));
        c.add(Bad.of("broken JSON", "config.put", "{\"document\": {\"dns\": }", 400, "malformed-json", ""));
        c.add(new Bad("invalid UTF-8", "config.put", new byte[] {'{', '"', (byte) 0xc3, (byte) 0x28, '"', ':', '1',
            '}'}, Optional.of("ops/replies"), 400, "malformed-json", ""));
        c.add(Bad.of("oversize", "config.put", "{\"document\": {\"dns\": {\"servers\": [\"" + "1".repeat(MAX_PAYLOAD)
                + "\"]}}}", 413, "payload-too-large", null));
        c.add(Bad.of("a document that is a string", "config.put", "{\"document\": \"{}\"}", 400, "bad-request",
                "/document"));
        c.add(Bad.of("a document that is a list", "config.validate", "{\"document\": [{}]}", 400, "bad-request",
                "/document"));
        c.add(Bad.of("no document", "config.put", "{}", 400, "bad-request", "/document"));
        c.add(Bad.of("dryRun as text", "config.put", "{\"document\": {}, \"dryRun\": \"yes\"}", 400, "bad-request",
                "/dryRun"));
        c.add(Bad.of("generation as text", "config.get", "{\"generation\": \"latest\"}", 400, "bad-request",
                "/generation"));
        c.add(Bad.of("generation 0", "config.get", "{\"generation\": 0}", 400, "bad-request", "/generation"));
        c.add(Bad.of("generation as a huge number", "config.get", "{\"generation\": 1" + "0".repeat(40) + "}", 400,
                "bad-request", "/generation"));
        c.add(Bad.of("id as an object", "config.put", "{\"id\": {}, \"document\": {}}", 400, "bad-request", "/id"));
        c.add(Bad.of("id too long", "config.put", "{\"id\": \"" + "x".repeat(129) + "\", \"document\": {}}", 400,
                "bad-request", "/id"));
        c.add(Bad.of("a placeholder secret", "config.put", "{\"document\": {\"management\": {\"password\": "
                + "\"(hidden)\"}}}", 400, "invalid-document", "/management/password"));
        c.add(Bad.of("a huge list of placeholders", "config.validate", "{\"document\": {\"ports\": {\"wlan0\": "
                + "{\"wifi\": {\"networks\": [" + String.join(",", java.util.Collections.nCopies(5000,
                        "{\"psk\": \"(hidden)\"}")) + "]}}}}}", 400, "invalid-document",
                "/ports/wlan0/wifi/networks/"));
        for (String target : List.of("0", "0.0.0.0", "0.1.2.3", "255.255.255.255", "224.0.0.1", "239.255.255.250",
                "240.0.0.1", "127.1", "0x7f000001", "2130706433", "10.0.0", "1.2.3.256", "01.2.3.4", "-c 100000",
                "a b", "eth0;reboot", "", "x".repeat(300))) {
            c.add(Bad.of("ping " + target.substring(0, Math.min(target.length(), 20)), "diag.ping",
                    "{\"target\": " + JSON.valueToTree(target) + "}", 400, "bad-request", "/target"));
        }
        c.add(Bad.of("ping a number", "diag.ping", "{\"target\": 0}", 400, "bad-request", "/target"));
        c.add(Bad.of("ping count as text", "diag.ping", "{\"target\": \"192.0.2.1\", \"count\": \"3\"}", 400,
                "bad-request", "/count"));
        c.add(Bad.of("ping count huge", "diag.ping", "{\"target\": \"192.0.2.1\", \"count\": 100000}", 400,
                "bad-request", "/count"));
        c.add(Bad.of("ping an interface with NUL", "diag.ping", "{\"target\": \"192.0.2.1\", \"interface\": "
                + "\"eth\\u0000x\"}", 400, "bad-request", "/interface"));
        c.add(Bad.of("ping an interface with an escape", "diag.ping", "{\"target\": \"192.0.2.1\", \"interface\": "
                + "\"\\u001b[2Jeth0\"}", 400, "bad-request", "/interface"));
        c.add(Bad.of("an unknown command with control characters", "no\u0000such\u001b[2J" + "x".repeat(500), "{}",
                404, "unknown-command", null));
        c.add(Bad.of("replyTo a wildcard, answered at the response topic", "status", "{\"replyTo\": \"ops/#\"}", 400,
                "bad-request", "/replyTo"));
        c.add(Bad.dropped("a response topic in another gateway's commands", "config.put",
                "{\"document\": {}}", Optional.of("isthmus/v1/gw-2/cmd/config.put")));
        c.add(Bad.dropped("a response topic in this gateway's commands", "status", "{}",
                Optional.of("isthmus/v1/gw-1/cmd/status")));
        c.add(Bad.dropped("a response topic on this gateway's state", "status", "{}",
                Optional.of("isthmus/v1/gw-1/state")));
        c.add(Bad.dropped("a wildcard response topic", "status", "{}", Optional.of("ops/+/x")));
        c.add(Bad.dropped("a 3.1.1 replyTo in another gateway's commands", "config.put",
                "{\"document\": {}, \"replyTo\": \"isthmus/v1/gw-2/cmd/config.put\"}", Optional.empty()));
        c.add(Bad.dropped("a 3.1.1 replyTo in this gateway's commands", "status",
                "{\"replyTo\": \"isthmus/v1/gw-1/cmd/status\"}", Optional.empty()));
        return c;
    }

    record Sent(String topic, JsonNode json) {
    }

    final List<Sent> sent = new CopyOnWriteArrayList<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<String> warnings = new CopyOnWriteArrayList<>();
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final CommandLanes lanes = new CommandLanes(2, 64, 8);
    final Map<String, Dispatcher.Registered> handlers = new ConcurrentHashMap<>();
    final Dispatcher dispatcher = new Dispatcher(handlers, () -> Optional.of(new Topics("gw-1")), new JsonCodec(),
            new ReplyCache(Duration.ofMinutes(10), 100, System::nanoTime), lanes, timer,
            new Dispatcher.Limits(MAX_PAYLOAD, Duration.ofSeconds(5)), (topic, corr, json) -> {
                try {
                    sent.add(new Sent(topic, JSON.readTree(json)));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }, warnings::add);

    /** A stand-in that records every call by name and answers nothing useful: no call is expected here. */
    <T> T recording(Class<T> type) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> {
            if (m.getDeclaringClass() == Object.class) {
                return m.getName().equals("toString") ? type.getSimpleName() : m.invoke(this, a);
            }
            calls.add(type.getSimpleName() + "." + m.getName());
            return m.getReturnType() == Optional.class ? Optional.empty()
                    : m.getReturnType() == List.class ? List.of() : null;
        }));
    }

    BadRequestCorpusTest() {
        ConfigService config = recording(ConfigService.class);
        EventPublisher events = recording(EventPublisher.class);
        AgentStatus agent = recording(AgentStatus.class);
        register("config.validate", new ConfigValidateCommand(config));
        register("config.put", new ConfigPutCommand(config, events, agent));
        register("config.get", new ConfigGetCommand(config));
        register("diag.ping", new DiagPingCommand(recording(Diagnostics.class)));
        register("status", r -> CommandReply.ok(Map.of("alive", true)));
    }

    void register(String command, io.isthmus.api.mgmt.CommandHandler h) {
        handlers.put(command, new Dispatcher.Registered(() -> h, Optional.empty()));
    }

    @AfterEach
    void stop() {
        timer.shutdownNow();
        lanes.close();
    }

    JsonNode awaitReply(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sent.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(2); // polling the stand-in outbox
        }
        if (sent.size() < n) {
            fail("no reply " + n + " within 10 s");
        }
        return sent.get(n - 1).json();
    }

    @Test
    void everyBadRequestIsRefusedWithAPointerAndChangesNothing() throws Exception {
        List<Bad> corpus = corpus();
        System.out.println("[BadRequestCorpusTest] trying " + corpus.size() + " bad requests");
        int expected = 0;
        for (Bad bad : corpus) {
            String reply = "ops/replies";
            dispatcher.handle(new Transport.Incoming("isthmus/v1/gw-1/cmd/" + bad.command(), bad.payload(),
                    bad.responseTopic(), Optional.of(bad.name().getBytes(StandardCharsets.UTF_8))));
            if (bad.status() == 0) {
                long ignoredBefore = dispatcher.counters().ignored();
                // nothing may go anywhere: the status below is the next reply, on the operator's topic
                dispatcher.handle(new Transport.Incoming("isthmus/v1/gw-1/cmd/status", "{}".getBytes(
                        StandardCharsets.UTF_8), Optional.of(reply), Optional.empty()));
                JsonNode next = awaitReply(++expected);
                assertEquals(reply, sent.get(expected - 1).topic(), bad.name());
                assertEquals(200, next.path("status").asInt(), bad.name() + ": " + next);
                assertTrue(ignoredBefore >= 1, bad.name());
                continue;
            }
            JsonNode r = awaitReply(++expected);
            assertEquals(reply, sent.get(expected - 1).topic(), bad.name());
            assertEquals(bad.status(), r.path("status").asInt(), bad.name() + ": " + r);
            assertEquals(bad.code(), r.at("/error/code").asText(), bad.name() + ": " + r);
            if (bad.pointerPrefix() != null) {
                assertTrue(r.at("/error").has("pointer"), bad.name() + ": " + r);
                assertTrue(r.at("/error/pointer").asText().startsWith(bad.pointerPrefix()), bad.name() + ": " + r);
            }
            String message = r.at("/error/message").asText();
            assertTrue(message.length() <= 1024, bad.name() + ": a message of " + message.length() + " characters");
            assertTrue(message.chars().noneMatch(ch -> ch < 0x20), bad.name() + ": " + message);
            // still answering
            dispatcher.handle(new Transport.Incoming("isthmus/v1/gw-1/cmd/status", "{}".getBytes(
                    StandardCharsets.UTF_8), Optional.of(reply), Optional.empty()));
            assertEquals(200, awaitReply(++expected).path("status").asInt(), "status after " + bad.name());
        }
        assertEquals(List.of(), calls.stream().filter(c -> !c.equals("ConfigService.validate")).toList(),
                "nothing that changes the gateway (or runs a process) was called");
        assertTrue(warnings.stream().allMatch(w -> w.chars().noneMatch(ch -> ch < 0x20)), warnings.toString());
    }
}
