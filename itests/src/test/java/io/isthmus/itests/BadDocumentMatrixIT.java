package io.isthmus.itests;

import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * Test before commit, the matrix an outside review asked for: documents that each cut a connected gateway off
 * its broker, sent over MQTT, every one of which must be rolled back with the gateway online again within the
 * broker window + 10 s. One gateway in the lab (ManagementSystemIT's document: eth0 DHCP, wwan0 static, both
 * uplinks; Mosquitto in the lab's internet) takes every case in turn; failures are collected, so one broken case
 * does not hide the others.
 */
public class BadDocumentMatrixIT {
    private static final String DEVICE = ManagementSystemIT.DEVICE;
    private static final Duration WINDOW = ManagementSystemIT.WINDOW;
    private static final String WRONG_WIRED = "{\"method\": \"static\", \"address\": \"100.64.1.10/24\", "
            + "\"gateway\": \"100.64.1.99\"}";
    private static final String WRONG_CELL = "{\"method\": \"static\", \"address\": \"100.65.1.10/24\", "
            + "\"gateway\": \"100.65.1.99\"}";
    private static final String NONE = "{\"method\": \"none\"}";
    /** Nothing listens there: the lab's internet refuses the connection. */
    private static final String WRONG_PROXY = MqttLab.BROKER_ADDR + ":3129";
    /** What the rollback's reason must say, by case name, where it matters. */
    private static final Map<String, String> REASONS = Map.of("a wrong proxy",
            "proxy " + WRONG_PROXY + " refused the connection",
            "every uplink's MAC set to its upstream router's", "is the MAC address of");

    @ClassRule
    public static final BrokerLab BROKER = new BrokerLab();
    @Rule
    public final ManagedGateway run = new ManagedGateway(BROKER, "isthmus-matrix-");
    @Rule
    public Timeout timeout = Timeout.seconds(600);

    private GatewayProcess gateway;
    private MqttTestClient watcher;
    private MqttTestClient operator;

    /**
     * One bad document: its name, how it changes the good one, the pointer when validation must refuse it, and
     * whether its apply is refused before the connection drops (rolled back while the gateway stays online).
     */
    private record Case(String name, Consumer<ObjectNode> edit, Optional<String> rejectedAt, boolean staysOnline) {
        Case(String name, Consumer<ObjectNode> edit) {
            this(name, edit, Optional.empty(), false);
        }

        Case(String name, Consumer<ObjectNode> edit, Optional<String> rejectedAt) {
            this(name, edit, rejectedAt, false);
        }
    }

    @Before
    public void setUp() throws Exception {
        gateway = run.startReady(ManagementSystemIT.GOOD);
        watcher = run.closeAtEnd(MqttTestClient.v5("matrix-watch-" + UUID.randomUUID(), true));
        watcher.subscribe("isthmus/v1/" + DEVICE + "/state");
        operator = run.closeAtEnd(MqttTestClient.v5("matrix-op-" + UUID.randomUUID(), true));
    }

    private static ObjectNode port(ObjectNode doc, String name) {
        return (ObjectNode) doc.path("ports").path(name);
    }

    private static void ipv4(ObjectNode doc, String port, String json) {
        try {
            port(doc, port).set("ipv4", MqttTestClient.JSON.readTree(json));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    /** The MAC of the lab router's interface that faces the gateway. */
    private static String routerMac(String node, String deviceKey) {
        Lab lab = BROKER.lab();
        try {
            return lab.ip(node, "link", "show", lab.get(deviceKey)).path(0).path("address").asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<Case> cases() {
        return List.of(
                new Case("wrong gateway on every uplink", d -> {
                    ipv4(d, "eth0", WRONG_WIRED);
                    ipv4(d, "wwan0", WRONG_CELL);
                }),
                // the review's case: the agent's reconnect on the uplink switch hid that it had been online
                new Case("wrong wired gateway, cellular none", d -> {
                    ipv4(d, "eth0", WRONG_WIRED);
                    ipv4(d, "wwan0", NONE);
                }),
                new Case("the active uplink's address removed, the other's gateway wrong", d -> {
                    ipv4(d, "eth0", NONE);
                    ipv4(d, "wwan0", WRONG_CELL);
                }),
                new Case("every uplink none", d -> {
                    ipv4(d, "eth0", NONE);
                    ipv4(d, "wwan0", NONE);
                }),
                new Case("every uplink's role changed to dmz", d -> {
                    port(d, "eth0").put("role", "dmz");
                    ipv4(d, "eth0", "{\"method\": \"static\", \"address\": \"100.64.1.10/24\"}");
                    port(d, "wwan0").put("role", "dmz");
                    ipv4(d, "wwan0", "{\"method\": \"static\", \"address\": \"100.65.1.10/24\"}");
                }),
                new Case("a wrong broker URL", d -> ((ObjectNode) d.path("management")).putArray("brokers")
                        .add("tcp://" + MqttLab.BROKER_ADDR + ":1884")),
                // two devices with one MAC on a link cut each other off behind a switch (a veth pair would not
                // show it): the driver refuses a MAC its link's neighbour has before it writes anything
                new Case("every uplink's MAC set to its upstream router's", d -> {
                    port(d, "eth0").put("mac", routerMac("ispw", "ISPW_DOWN_IF"));
                    port(d, "wwan0").put("mac", routerMac("ispc", "ISPC_DOWN_IF"));
                }, Optional.empty(), true),
                // the proxy's own answer is the reason (ProxyIT has a real proxy that says 401 and 403)
                new Case("a wrong proxy", d -> ((ObjectNode) d.path("management")).putObject("proxy")
                        .put("url", "http://" + WRONG_PROXY)),
                new Case("a static route that captures the broker through the DMZ", d -> d.putArray("routes")
                        .addObject().put("destination", MqttLab.BROKER_ADDR + "/32").put("gateway", "192.168.50.254")
                        .put("interface", "eth1")),
                // validation refuses this one before anything is applied: the handshake passes, full segments not
                new Case("an uplink MTU so small that full segments cannot pass", d -> {
                    port(d, "eth0").put("mtu", 68);
                    port(d, "wwan0").put("mtu", 68);
                }, Optional.of("/ports/eth0/mtu")));
    }

    @Test
    public void everyDocumentThatCutsTheGatewayOffIsRolledBackAndTheGatewayIsBackWithinTheWindow()
            throws Exception {
        assertTrue("online:\n" + gateway.transcript(), Lab.within(ManagementSystemIT.ONLINE, this::online) >= 0);
        long generation = operator.request(DEVICE, "config.history", Map.of(), ManagementSystemIT.REPLY)
                .at("/body/current").asLong();
        List<String> failures = new ArrayList<>();
        // -Disthmus.matrix.case=TEXT runs only the cases whose name contains TEXT
        String only = System.getProperty("isthmus.matrix.case", "");
        List<Case> run = cases().stream().filter(c -> c.name().contains(only)).toList();
        for (Case c : run) {
            ObjectNode doc = (ObjectNode) MqttTestClient.JSON.readTree(ManagementSystemIT.GOOD);
            c.edit().accept(doc);
            failures.addAll(send(c, doc, generation));
        }
        assertTrue(failures.size() + " failures in " + run.size() + " cases:\n" + String.join("\n", failures)
                + "\n" + gateway.transcript(), failures.isEmpty());
    }

    /** Sends one bad document; empty when it was rolled back and the gateway came back in time. */
    private List<String> send(Case c, ObjectNode doc, long generation) throws Exception {
        String name = c.name();
        int statesBefore = watcher.on("/state").size();
        long start = System.nanoTime();
        JsonNode reply;
        try {
            reply = operator.request(DEVICE, "config.put", Map.of("document", doc), WINDOW.plusSeconds(40));
        } catch (java.util.concurrent.TimeoutException e) {
            return List.of(name + ": no reply within " + WINDOW.plusSeconds(40).toSeconds() + " s");
        }
        long replyMs = (System.nanoTime() - start) / 1_000_000;
        List<String> failures = new ArrayList<>();
        if (c.rejectedAt().isPresent()) {
            if (reply.path("status").asInt() != 400 || !c.rejectedAt().get().equals(reply.at("/error/pointer").asText())) {
                failures.add(name + ": not rejected at " + c.rejectedAt().get() + ": " + reply);
            }
            statesBefore = -1; // nothing applied: the connection was never dropped
        } else if (reply.path("status").asInt() != 409 || !"rolled-back".equals(reply.at("/error/code").asText())) {
            failures.add(name + ": not rolled back: " + reply);
        } else if (c.staysOnline()) {
            if (watcher.on("/state").stream().skip(statesBefore).anyMatch(m -> !m.json().path("online").asBoolean())) {
                failures.add(name + ": the gateway went offline although the apply was refused before any write");
            }
            statesBefore = -1;
        }
        if (REASONS.containsKey(name) && !reply.toString().contains(REASONS.get(name))) {
            failures.add(name + ": the reason does not say \"" + REASONS.get(name) + "\": " + reply);
        }
        if (replyMs > WINDOW.plusSeconds(10).toMillis()) {
            failures.add(name + ": the reply took " + replyMs + " ms");
        }
        // the Last Will or the reconnect republishes the state: online again after it
        int seen = statesBefore;
        long back = Lab.within(Duration.ofSeconds(10), () -> watcher.on("/state").size() > seen && online());
        if (back < 0) {
            failures.add(name + ": not back online within 10 s of the reply");
        }
        System.out.println("matrix: " + name + ": " + reply + " (reply " + replyMs + " ms)");
        try {
            JsonNode history = operator.request(DEVICE, "config.history", Map.of(), ManagementSystemIT.REPLY);
            if (history.at("/body/current").asLong() != generation) {
                failures.add(name + ": generation " + history.at("/body/current") + " in force, not " + generation);
            }
        } catch (java.util.concurrent.TimeoutException e) {
            failures.add(name + ": config.history not answered after the reply " + reply);
        }
        return failures;
    }

    private boolean online() {
        return ManagementSystemIT.online(watcher);
    }
}
