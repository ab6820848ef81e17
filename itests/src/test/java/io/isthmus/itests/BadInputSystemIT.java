package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * Bad input over MQTT to a real gateway (the x86-industrial distribution in the lab's gw namespace, Mosquitto in
 * the lab's internet): a sample of the corpus the unit tests try in full (mgmt BadRequestCorpusTest, config
 * BadDocumentCorpusTest). Each request gets a 4xx with a pointer (or, where no reply may go, nothing); the agent
 * answers {@code status} and {@code config.validate} afterwards; and the kernel of gw (addresses, routes, rules,
 * nftables ruleset) is the same after the corpus as before it.
 */
public class BadInputSystemIT {
    static final String PROFILE = ManagementSystemIT.PROFILE;
    static final String DEVICE = "gw-bad";
    static final Duration READY = Duration.ofSeconds(60);
    static final Duration REPLY = Duration.ofSeconds(15);
    static final ObjectMapper JSON = new ObjectMapper();

    @ClassRule
    public static final BrokerLab BROKER = new BrokerLab();
    @Rule
    public final ManagedGateway run = new ManagedGateway(BROKER, "isthmus-bad-input-");
    @Rule
    public Timeout timeout = Timeout.seconds(300);

    static String good() {
        return ManagementSystemIT.GOOD.replace("\"deviceId\": \"" + ManagementSystemIT.DEVICE + "\"",
                "\"deviceId\": \"" + DEVICE + "\"");
    }

    /** gw's kernel state that a document could change; counters and address lifetimes (DHCP) left out. */
    String kernel() throws Exception {
        StringBuilder s = new StringBuilder();
        for (List<String> argv : List.of(List.of("ip", "-j", "addr"), List.of("ip", "-j", "route", "show", "table",
                "all"), List.of("ip", "-j", "rule"), List.of("nft", "-j", "list", "ruleset"))) {
            Lab.Result r = BROKER.lab().exec("gw", argv.toArray(String[]::new));
            assertEquals(String.join(" ", argv) + ": " + r.err(), 0, r.exit());
            s.append(String.join(" ", argv)).append('\n').append(r.out()
                    .replaceAll("\"packets\": ?\\d+, ?\"bytes\": ?\\d+", "")
                    .replaceAll("\"(valid|preferred)_life_time\": ?\\d+", "")).append('\n');
        }
        return s.toString();
    }

    static String nested(int levels) {
        return "{\"a\":".repeat(levels - 1) + "{}" + "}".repeat(levels - 1);
    }

    /** A document that is the good one with {@code "ports"} … replaced: a port of gw changed. */
    static String withEth1(String eth1) {
        return good().replace("\"eth1\":  {\"role\": \"dmz\", \"ipv4\": {\"method\": \"static\", \"address\": "
                + "\"192.168.50.1/24\"}}", "\"eth1\": " + eth1);
    }

    record Bad(String name, String command, String payload, int status, String pointerPrefix) {
    }

    static String put(String document) {
        return "{\"document\": " + document + "}";
    }

    static List<Bad> corpus() {
        List<Bad> c = new ArrayList<>();
        for (int levels : new int[] {600, 5000}) {
            c.add(new Bad("config.put nested " + levels, "config.put", put(nested(levels)), 400, "/document/a/a"));
            c.add(new Bad("config.validate nested " + levels, "config.validate", put(nested(levels)), 400,
                    "/document/a/a"));
        }
        c.add(new Bad("a second firewall section", "config.put", put(good().replace("\"firewall\":",
                "\"firewall\": {\"portForwards\": [{\"from\": \"eth0\", \"protocol\": \"tcp\", \"port\": 22, "
                        + "\"toAddress\": \"192.168.50.11\"}]}, \"firewall\":")), 400, "/document/firewall"));
        c.add(new Bad("a huge list", "config.put", put(good().replace("\"dns\":", "\"routes\": ["
                + String.join(",", Collections.nCopies(5000, "{\"destination\": \"x\"}")) + "], \"dns\":")), 400,
                "/routes/"));
        c.add(new Bad("a NUL in a port name", "config.put", put(good().replace("\"eth2\":", "\"eth\\u00002\":")), 400,
                "/ports/"));
        c.add(new Bad("an escape sequence in a port name", "config.put", put(good().replace("\"eth2\":",
                "\"\\u001b[2Jeth2\":")), 400, "/ports/"));
        c.add(new Bad("ports as a string", "config.put", put("{\"ports\": \"eth0\"}"), 400, "/ports"));
        c.add(new Bad("an mtu as text", "config.put", put(withEth1("{\"role\": \"dmz\", \"mtu\": \"1500\", "
                + "\"ipv4\": {\"method\": \"static\", \"address\": \"192.168.50.1/24\"}}")), 400, "/ports/eth1/mtu"));
        c.add(new Bad("an empty payload", "config.put", "", 400, ""));
        c.add(new Bad("a document that is a string", "config.put", "{\"document\": \"{}\"}", 400, "/document"));
        c.add(new Bad("oversize", "config.put", put("{\"dns\": {\"servers\": [\"" + "1".repeat(300 * 1024)
                + "\"]}}"), 413, null));
        for (String target : List.of("0", "255.255.255.255", "224.0.0.1", "127.1")) {
            c.add(new Bad("ping " + target, "diag.ping", "{\"target\": \"" + target + "\"}", 400, "/target"));
        }
        c.add(new Bad("ping with a NUL in the interface", "diag.ping",
                "{\"target\": \"203.0.113.10\", \"interface\": \"eth\\u0000\"}", 400, "/interface"));
        // MQTT topic names carry no control characters (the client refuses them): the command is only long
        c.add(new Bad("an unknown command of 5,000 characters", "x".repeat(5000), "{}", 404, null));
        return c;
    }

    /** Odd addresses the document validators reject (loopback, broadcast, multicast, a network address as gateway). */
    static Map<String, String> oddAddresses() {
        String eth1 = "{\"role\": \"dmz\", \"ipv4\": {\"method\": \"static\", \"address\": \"%s\"}}";
        return Map.of(
                "loopback address", withEth1(eth1.formatted("127.0.0.2/8")),
                "broadcast address", withEth1(eth1.formatted("255.255.255.255/24")),
                "multicast address", withEth1(eth1.formatted("224.0.0.1/24")),
                "network address as gateway", good().replace("\"dns\":", "\"routes\": [{\"destination\": "
                        + "\"10.99.0.0/16\", \"gateway\": \"192.168.50.0\", \"interface\": \"eth1\"}], \"dns\":"));
    }

    @Test
    public void badInputIsRefusedWithAPointerTheAgentKeepsAnsweringAndTheKernelIsUnchanged() throws Exception {
        GatewayProcess gateway = run.startReady(good());
        assertTrue("default route via eth0:\n" + gateway.transcript(), Lab.within(Duration.ofSeconds(30),
                () -> BROKER.lab().defaultDevice("gw").equals(Optional.of("eth0"))) >= 0);
        MqttTestClient c = MqttTestClient.v5("it-" + UUID.randomUUID(), true);
        run.closeAtEnd(c);
        assertTrue("gateway answers", Lab.within(Duration.ofSeconds(30), () -> {
            try {
                return c.request(DEVICE, "status", Map.of(), Duration.ofSeconds(2)).path("status").asInt() == 200;
            } catch (Exception e) {
                return false;
            }
        }) >= 0);
        String before = kernel();

        List<Bad> corpus = corpus();
        for (Bad bad : corpus) {
            JsonNode reply = c.requestRaw(DEVICE, bad.command(), bad.payload().getBytes(StandardCharsets.UTF_8),
                    "bad-" + UUID.randomUUID(), REPLY);
            assertEquals(bad.name() + ": " + reply, bad.status(), reply.path("status").asInt());
            if (bad.pointerPrefix() != null) {
                assertTrue(bad.name() + ": " + reply, reply.at("/error/pointer").asText("none")
                        .startsWith(bad.pointerPrefix()));
            }
            assertTrue(bad.name() + ": " + reply, reply.at("/error/message").asText().length() < 2000);
        }
        // odd addresses are refused by config.put itself, before anything is applied
        for (Map.Entry<String, String> odd : oddAddresses().entrySet()) {
            JsonNode reply = c.request(DEVICE, "config.put", Map.of("document", JSON.readTree(odd.getValue())),
                    REPLY);
            assertEquals(odd.getKey() + ": " + reply, 400, reply.path("status").asInt());
            assertTrue(odd.getKey() + ": " + reply, reply.at("/error/pointer").asText("").startsWith("/"));
        }

        // reply topics under isthmus/v1/: another gateway's command topic gets nothing, the request is not run
        MqttTestClient watcher = MqttTestClient.v5("watch-" + UUID.randomUUID(), true);
        run.closeAtEnd(watcher);
        watcher.subscribe("isthmus/v1/gw-victim/#");
        var v5 = rawV5("attacker-" + UUID.randomUUID());
        var m = new org.eclipse.paho.mqttv5.common.MqttMessage(put(good()).getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        var p = new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
        p.setResponseTopic("isthmus/v1/gw-victim/cmd/config.put");
        m.setProperties(p);
        v5.publish("isthmus/v1/" + DEVICE + "/cmd/config.get", m);
        MqttTestClient v3 = MqttTestClient.v3("it3-" + UUID.randomUUID(), true);
        run.closeAtEnd(v3);
        v3.publish("isthmus/v1/" + DEVICE + "/cmd/config.get", "{\"replyTo\": \"isthmus/v1/gw-victim/cmd/config.put\"}"
                .getBytes(StandardCharsets.UTF_8), Optional.empty());
        v3.publish("isthmus/v1/" + DEVICE + "/cmd/status", ("{\"replyTo\": \"isthmus/v1/" + DEVICE
                + "/cmd/status\"}").getBytes(StandardCharsets.UTF_8), Optional.empty());

        // still answering: status, and config.validate of a good document (more often than its lane has slots)
        assertEquals(200, c.request(DEVICE, "status", Map.of(), REPLY).path("status").asInt());
        List<CompletableFuture<JsonNode>> validations = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            validations.add(c.send(DEVICE, "config.validate", put(good()).getBytes(StandardCharsets.UTF_8),
                    "good-" + i));
        }
        for (CompletableFuture<JsonNode> v : validations) {
            JsonNode r = v.get(REPLY.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(r.toString(), 200, r.path("status").asInt());
            assertTrue(r.toString(), r.at("/body/valid").asBoolean());
        }
        // the three refused requests have arrived (counted as ignored); an answer would have come with them
        assertTrue("three requests refused", Lab.within(REPLY, () -> {
            try {
                return c.request(DEVICE, "status", Map.of(), REPLY).at("/body/management/requests/ignored")
                        .asLong() >= 3;
            } catch (Exception e) {
                return false;
            }
        }) >= 0);
        assertEquals(List.of(), watcher.received.stream().map(MqttTestClient.Received::topic).toList());
        assertTrue("a refused reply topic is logged:\n" + gateway.transcript(), gateway.stdout().stream()
                .anyMatch(l -> l.contains("refused a \"config.get\" request whose reply topic")));
        assertFalse("a refused reply topic is logged escaped:\n" + gateway.transcript(),
                gateway.transcript().chars().anyMatch(ch -> ch == 0x1b || ch == 0));

        assertEquals("the kernel of gw after " + corpus.size() + " bad requests", before, kernel());
        System.out.println("[BadInputSystemIT] tried " + (corpus.size() + oddAddresses().size() + 3)
                + " bad inputs over MQTT and " + oddAddresses().size() + " odd-address documents");
    }

    org.eclipse.paho.mqttv5.client.MqttClient rawV5(String id) throws Exception {
        var client = new org.eclipse.paho.mqttv5.client.MqttClient(MqttLab.BROKER, id,
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        var o = new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();
        o.setCleanStart(true);
        client.connect(o);
        run.closeAtEnd(() -> {
            client.disconnect();
            client.close();
        });
        return client;
    }
}
