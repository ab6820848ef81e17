package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * Which uplinks carry management and which carry data ({@code uplink.management}, {@code uplink.data}), on the
 * real kernel: the x86-industrial distribution in the lab's gw, Mosquitto on the lab's internet, faults made on
 * the ISP side. Which uplink a flow takes is told by the kernel (the gateway's MQTT socket's source address, the
 * route a packet from the DMZ gets) and by the packets each ISP receives.
 */
public class UplinkUsageIT {
    static final String DEVICE = "gw-usage";
    static final String INTERNET = "203.0.113.10";
    static final String DMZ_HOST = "192.168.50.10";
    static final Duration ONLINE = Duration.ofSeconds(30);
    static final Duration REPLY = Duration.ofSeconds(10);
    static final Path TOOLS = Distribution.root().resolve("itests/src/test/resources/uplink");

    @ClassRule
    public static final BrokerLab BROKER = new BrokerLab();
    @Rule
    public final ManagedGateway run = new ManagedGateway(BROKER, "isthmus-usage-");
    @Rule
    public Timeout timeout = Timeout.seconds(240);

    Lab lab;
    GatewayProcess gateway;
    MqttTestClient watcher;

    @Before
    public void setUp() throws Exception {
        lab = BROKER.lab();
        watcher = run.closeAtEnd(MqttTestClient.v5("it-" + UUID.randomUUID(), true));
        watcher.subscribe("isthmus/v1/" + DEVICE + "/state");
        watcher.subscribe("isthmus/v1/" + DEVICE + "/evt/uplink");
    }

    @After
    public void restoreTheIsps() throws Exception {
        for (String isp : List.of("wired", "cell")) {
            lab.fault("restore", isp);
        }
    }

    /** The lab document, management at the lab's broker (keep-alive 5 s), with these uplink lists. */
    static String document(String lists) {
        return """
                {"ports": {
                  "eth0":  {"role": "uplink", "cost": 0, "ipv4": {"method": "dhcp"}},
                  "wwan0": {"kind": "ethernet", "role": "uplink", "cost": 100,
                            "ipv4": {"method": "static", "address": "100.65.1.10/24", "gateway": "100.65.1.1"}},
                  "eth1":  {"role": "dmz", "ipv4": {"method": "static", "address": "192.168.50.1/24"}},
                  "eth2":  {"role": "offline", "ipv4": {"method": "static", "address": "10.20.0.1/24"}}
                 },
                 "uplink": {"probe": {"targets": ["203.0.113.10"], "intervalMs": 500, "timeoutMs": 400,
                                      "downAfter": 3, "upAfter": 5}, "minDwellMs": 3000, %s},
                 "dns": {"servers": ["203.0.113.53"]},
                 "firewall": {"conduits": [{"from": "dmz", "to": "uplink", "protocol": "any"}]},
                 "management": {"brokers": ["%s"], "deviceId": "%s", "keepAliveSeconds": 5}}
                """.formatted(lists, MqttLab.BROKER, DEVICE);
    }

    /** Cellular is a private APN for management only; wired carries the DMZ's traffic only. */
    static final String SPLIT = document("\"management\": [\"wwan0\"], \"data\": [\"eth0\"]");

    boolean online() {
        List<MqttTestClient.Received> s = watcher.on("/" + DEVICE + "/state");
        return !s.isEmpty() && s.get(s.size() - 1).json().path("online").asBoolean();
    }

    /** The source address of the gateway's MQTT connection to the broker, as the kernel has it. */
    Optional<String> mqttSource() {
        try {
            Lab.Result r = lab.exec("gw", "ss", "-Htn", "state", "established", "dst", INTERNET, "dport", "=",
                    ":" + MqttLab.PORT);
            return r.out().lines().map(l -> l.trim().split("\\s+")).filter(f -> f.length >= 4)
                    .map(f -> f[2].substring(0, f[2].lastIndexOf(':'))) // the JVM's sockets are dual-stack
                    .map(a -> a.replace("[", "").replace("]", "").replace("::ffff:", "")).findFirst();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** The device the kernel sends a packet of the DMZ host to the internet out of; empty: unreachable. */
    Optional<String> dmzRoute() throws Exception {
        Lab.Result r = lab.exec("gw", "ip", "-j", "route", "get", INTERNET, "from", DMZ_HOST, "iif", "eth1");
        if (!r.ok()) {
            return Optional.empty(); // "Network is unreachable"
        }
        JsonNode route = MqttTestClient.JSON.readTree(r.out()).path(0);
        return Optional.of(route.path("dev").asText());
    }

    boolean dmzReachesInternet() {
        try {
            return lab.ping("dmz", INTERNET);
        } catch (Exception e) {
            return false;
        }
    }

    long rxPackets(String isp) throws Exception {
        return lab.ip(isp, "-s", "link", "show", "dev", "down0").path(0).path("stats64").path("rx").path("packets")
                .asLong();
    }

    JsonNode status() throws Exception {
        JsonNode reply = watcher.request(DEVICE, "status", Map.of(), REPLY);
        assertEquals(reply.toString(), 200, reply.path("status").asInt());
        return reply.path("body");
    }

    List<JsonNode> uplinkEvents() {
        return watcher.on("/evt/uplink").stream().map(e -> e.json().path("body")).toList();
    }

    void startSplit() throws Exception {
        gateway = run.startReady(SPLIT);
        assertTrue("gateway online:\n" + gateway.transcript(), Lab.within(ONLINE, this::online) >= 0);
        assertTrue("management path wwan0, data path eth0:\n" + gateway.transcript(), Lab.within(ONLINE, () -> {
            try {
                JsonNode u = status().path("uplinks");
                return u.path("management").toString().equals("[\"wwan0\"]")
                        && u.path("data").toString().equals("[\"eth0\"]");
            } catch (Exception e) {
                return false;
            }
        }) >= 0);
    }

    @Test
    public void managementLeavesThroughItsUplinkAndTheDmzThroughTheDataUplink() throws Exception {
        startSplit();
        assertEquals("the main default route is the management path", Optional.of("wwan0"), lab.defaultDevice("gw"));
        assertEquals("the gateway's MQTT connection is sourced from wwan0", Optional.of("100.65.1.10"),
                Optional.ofNullable(Lab.settle("100.65.1.10", () -> mqttSource().orElse(null), ONLINE)));
        assertEquals("a packet of the DMZ host goes out of eth0", Optional.of("eth0"), dmzRoute());
        JsonNode rules = lab.ip("gw", "rule", "show");
        assertTrue("eth1 (port 2) looks up main without its default route: " + rules, rules.findParents("priority")
                .stream().anyMatch(r -> r.path("priority").asInt() == 3004 && r.path("iif").asText().equals("eth1")
                        && r.path("table").asText().equals("main") && r.path("suppress_prefixlen").asInt(-1) == 0));
        long writes = gateway.transcript().lines().filter(l -> l.contains("routing: ") && l.contains("kernel change"))
                .count();
        Lab.within(Duration.ofSeconds(3), () -> false); // a window in which nothing should be written
        assertEquals("the rules read back as written: no rewrite\n" + gateway.transcript(), writes,
                gateway.transcript().lines().filter(l -> l.contains("routing: ") && l.contains("kernel change"))
                        .count());

        // the packets themselves: 400 datagrams from the DMZ arrive at the wired ISP, not at the cellular one
        long wired = rxPackets("ispw");
        long cell = rxPackets("ispc");
        Lab.Result sent = lab.exec("dmz", "python3", TOOLS.resolve("udp-flows.py").toString(), INTERNET, "9", "20",
                "20");
        assertTrue(sent.err(), sent.ok());
        long viaWired = rxPackets("ispw") - wired;
        long viaCell = rxPackets("ispc") - cell;
        System.out.println("[usage] 400 DMZ datagrams: " + viaWired + " at the wired ISP, " + viaCell
                + " at the cellular ISP (probes and keep-alives)");
        assertTrue("all at the wired ISP: " + viaWired, viaWired >= 400);
        assertTrue("none at the cellular ISP beyond its own probes and keep-alives: " + viaCell, viaCell < 100);
        assertTrue(dmzReachesInternet());

        // defence in depth: a route someone else adds that sends the DMZ out of wwan0 meets the firewall
        lab.exec("gw", "ip", "route", "add", INTERNET + "/32", "via", "100.65.1.1", "dev", "wwan0");
        try {
            assertEquals(Optional.of("wwan0"), dmzRoute());
            assertEquals("dropped on the way out of the management-only uplink", -1,
                    Lab.within(Duration.ofSeconds(2), this::dmzReachesInternet));
            String table = lab.exec("gw", "nft", "list", "table", "inet", "isthmus").out();
            String rule = table.lines().filter(l -> l.contains("no data out of wwan0")).findFirst().orElse(table);
            assertTrue("the drop rule counted them: " + rule, rule.matches(".*counter packets [1-9].*"));
        } finally {
            lab.exec("gw", "ip", "route", "del", INTERNET + "/32", "via", "100.65.1.1", "dev", "wwan0");
        }
        assertTrue(Lab.within(Duration.ofSeconds(3), this::dmzReachesInternet) >= 0);
    }

    @Test
    public void pullingTheDataUplinkLeavesTheDmzOfflineAndManagementUntouched() throws Exception {
        startSplit();
        long connects = status().path("management").path("connects").asLong();
        lab.fault("pull", "wired");
        assertTrue("the data path is empty:\n" + gateway.transcript(), Lab.within(Duration.ofSeconds(5), () -> {
            try {
                return dmzRoute().isEmpty();
            } catch (Exception e) {
                return false;
            }
        }) >= 0);
        assertEquals("no fallback of the DMZ onto the management-only uplink", -1,
                Lab.within(Duration.ofSeconds(3), this::dmzReachesInternet));
        assertTrue("evt/uplink of the data path", Lab.within(REPLY, () -> uplinkEvents().stream().anyMatch(e ->
                e.path("paths").toString().equals("[\"data\"]") && e.path("previous").asText().equals("eth0")
                        && e.path("current").isNull() && e.path("reason").asText()
                                .startsWith("no uplink that may carry data is up"))) >= 0);
        assertTrue("the log names the path:\n" + gateway.transcript(), gateway.awaitOutput(
                "uplink (data): eth0 -> (none) (no uplink that may carry data is up", Duration.ofSeconds(1)));
        JsonNode s = status();
        assertEquals("[]", s.path("uplinks").path("data").toString());
        assertEquals("[\"wwan0\"]", s.path("uplinks").path("management").toString());
        assertTrue("management stayed online", online());
        assertEquals("a data switch does not reconnect management", connects,
                s.path("management").path("connects").asLong());
        assertEquals(Optional.of("wwan0"), lab.defaultDevice("gw"));

        lab.fault("restore", "wired");
        assertTrue("the DMZ is back on eth0 once its probes pass", Lab.within(Duration.ofSeconds(20),
                this::dmzReachesInternet) >= 0);
        assertEquals(Optional.of("eth0"), dmzRoute());
    }

    @Test
    public void pullingTheOnlyManagementUplinkTakesManagementOfflineNotTheDmz() throws Exception {
        startSplit();
        lab.fault("pull", "cell");
        assertTrue("no main default route: management never takes the data-only uplink", Lab.within(
                Duration.ofSeconds(5), () -> lab.defaultDevice("gw").isEmpty()) >= 0);
        assertTrue("the broker's Last Will says offline", Lab.within(ONLINE, () -> !online()) >= 0);
        assertTrue("the DMZ still reaches the internet through eth0", dmzReachesInternet());
        assertEquals(Optional.of("eth0"), dmzRoute());

        lab.fault("restore", "cell");
        assertTrue("management back online through wwan0:\n" + gateway.transcript(),
                Lab.within(Duration.ofSeconds(45), this::online) >= 0);
        assertEquals(Optional.of("100.65.1.10"),
                Optional.ofNullable(Lab.settle("100.65.1.10", () -> mqttSource().orElse(null), REPLY)));
    }

    @Test
    public void sharedListsKeepTheOldFailoverAndAddNoRules() throws Exception {
        gateway = run.startReady(document("\"management\": [\"eth0\", \"wwan0\"], \"data\": [\"wwan0\", \"eth0\"]"));
        assertTrue("gateway online:\n" + gateway.transcript(), Lab.within(ONLINE, this::online) >= 0);
        assertTrue(Lab.within(ONLINE, () -> lab.defaultDevice("gw").equals(Optional.of("eth0"))) >= 0);
        assertTrue("no data rules: today's kernel state", lab.ip("gw", "rule", "show").findValues("priority")
                .stream().noneMatch(p -> p.asInt() >= 3000 && p.asInt() < 32766));

        lab.fault("pull", "wired");
        assertTrue(Lab.within(Duration.ofSeconds(2), () -> lab.defaultDevice("gw").equals(Optional.of("wwan0")))
                >= 0);
        assertTrue("the DMZ fails over with management", Lab.within(Duration.ofSeconds(3), this::dmzReachesInternet)
                >= 0);
        assertTrue("one evt/uplink for both paths", Lab.within(REPLY, () -> uplinkEvents().stream().anyMatch(e ->
                e.path("paths").toString().equals("[\"management\",\"data\"]")
                        && e.path("current").asText().equals("wwan0"))) >= 0);
        assertTrue("management reconnects through wwan0", Lab.within(ONLINE, () -> mqttSource()
                .equals(Optional.of("100.65.1.10"))) >= 0);
    }
}
