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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * The cellular driver on the real kernel: the x86-industrial distribution in the lab's gw namespace, its wwan0 (a
 * veth to the cellular ISP) as the bearer's data interface. ModemManager is mocked (ModemManagerMock: python3-dbusmock
 * on a private bus with the project's template) because no modem exists here; everything else is real: the
 * driver's D-Bus client, the IPv4 layer, routing, uplink failover, the management agent (Mosquitto in the lab).
 * Recovery timing is compressed through the document's {@code recovery} settings.
 */
public class CellularSystemIT {
    static final String PROFILE = "x86-industrial";
    static final String DEVICE = "gw-cell";
    static final Duration READY = Duration.ofSeconds(60);
    static final Duration REPLY = Duration.ofSeconds(10);
    static final String BEARER_ADDR = "100.65.1.10/24";
    static final String BEARER_GW = "100.65.1.1";
    static final String ICCID = "89490200001234567890";
    /** Reconnect 300 ms doubling to 1.2 s; a reset after 3 failures in a row, at most one per 4 s. */
    static final String FAST_RECOVERY = "\"recovery\": {\"reconnectMinMs\": 300, \"reconnectMaxMs\": 1200, "
            + "\"resetAfterFailures\": 3, \"minResetIntervalS\": 4}";
    static final ObjectMapper JSON = new ObjectMapper();

    @Rule
    public Timeout timeout = Timeout.seconds(120);

    static Lab lab;
    static MqttLab mqtt;
    Path work;
    ModemManagerMock mm;
    GatewayProcess gateway;
    MqttTestClient client;

    @BeforeClass
    public static void labUp() throws Exception {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        lab = Lab.up();
        mqtt = MqttLab.attach(lab);
        mqtt.startBroker();
    }

    @AfterClass
    public static void labDown() throws Exception {
        if (mqtt != null) {
            mqtt.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Before
    public void setUp() throws Exception {
        work = Files.createTempDirectory("isthmus-cell-");
    }

    @After
    public void tearDown() throws Exception {
        if (client != null) {
            client.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (mm != null) {
            mm.close();
        }
        lab.fault("restore", "wired");
        try (Stream<Path> s = Files.walk(work)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The lab document with wwan0 as a cellular uplink with these settings (JSON members of "cellular"). */
    static String document(String cellular, String uplinkExtra) {
        return """
                {"ports": {
                  "eth0":  {"role": "uplink", "cost": 0, "ipv4": {"method": "dhcp"}},
                  "wwan0": {"kind": "cellular", "role": "uplink", "cost": 100, "cellular": {%s}},
                  "eth1":  {"role": "dmz", "ipv4": {"method": "static", "address": "192.168.50.1/24"}},
                  "eth2":  {"role": "offline", "ipv4": {"method": "static", "address": "10.20.0.1/24"}}
                 },
                 "uplink": {"probe": {"targets": ["203.0.113.10"], "intervalMs": 500, "timeoutMs": 400,
                                      "downAfter": 3, "upAfter": 5}%s},
                 "firewall": {"conduits": [{"from": "dmz", "to": "uplink", "protocol": "any"}]},
                 "management": {"brokers": ["%s"], "deviceId": "%s", "keepAliveSeconds": 5}}
                """.formatted(cellular, uplinkExtra, MqttLab.BROKER, DEVICE);
    }

    void start(Map<String, Object> mockParameters, String document) throws Exception {
        mm = ModemManagerMock.start(mockParameters);
        Path doc = work.resolve("network.json");
        Files.writeString(doc, document);
        Instant before = Instant.now();
        // subscribed before the gateway starts: events of its first seconds wait in its outbox, none is missed
        client = MqttTestClient.v5("it-cell-" + UUID.randomUUID(), true);
        client.subscribe("isthmus/v1/" + DEVICE + "/evt/cellular");
        gateway = GatewayProcess.start(lab.inNamespace("gw"), PROFILE, Optional.of(doc), work.resolve("state"),
                Map.of("ISTHMUS_JAVA_OPTS", "-Disthmus.resolv.conf=" + work.resolve("resolv.conf")
                        + " -Disthmus.cellular.bus=" + mm.address), List.of("--shell"));
        assertTrue(gateway.transcript(), gateway.awaitReady(READY).isPresent());
        MqttTestClient.awaitOnline(DEVICE, before);
    }

    JsonNode call(String command, Map<String, Object> request) throws Exception {
        return client.request(DEVICE, command, request, REPLY);
    }

    /** The wwan0 entry of {@code status}. */
    JsonNode wwan0() throws Exception {
        for (JsonNode p : call("status", Map.of()).path("body").path("ports")) {
            if (p.path("name").asText().equals("wwan0")) {
                return p;
            }
        }
        throw new AssertionError("status has no wwan0");
    }

    boolean wwan0Shows(java.util.function.Predicate<JsonNode> condition) {
        try {
            return condition.test(wwan0());
        } catch (Exception | AssertionError e) { // not yet in status (a driver that just started)
            return false;
        }
    }

    List<String> addresses(String dev) {
        List<String> out = new ArrayList<>();
        try {
            for (JsonNode l : lab.ip("gw", "-4", "addr", "show", "dev", dev)) {
                l.path("addr_info").forEach(a -> out.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt()));
            }
        } catch (Exception e) {
            // not readable right now
        }
        return out;
    }

    boolean bearerOnWwan0() {
        return addresses("wwan0").equals(List.of(BEARER_ADDR));
    }

    /** A default route via the bearer's gateway in wwan0's own routing table (policy routing by source). */
    boolean defaultInPortTable() {
        try {
            for (JsonNode r : lab.ip("gw", "route", "show", "table", "all")) {
                if ("default".equals(r.path("dst").asText()) && "wwan0".equals(r.path("dev").asText())
                        && BEARER_GW.equals(r.path("gateway").asText()) && r.has("table")
                        && !"main".equals(r.path("table").asText())) {
                    return true;
                }
            }
        } catch (Exception e) {
            // not readable right now
        }
        return false;
    }

    /** Every IPv4 address and route of the gateway (without lease lifetimes, which tick). */
    String kernelState() throws Exception {
        List<String> lines = new ArrayList<>();
        for (JsonNode l : lab.ip("gw", "-4", "addr")) {
            l.path("addr_info").forEach(a -> lines.add(l.path("ifname").asText() + " " + a.path("local").asText()
                    + "/" + a.path("prefixlen").asInt()));
        }
        lab.ip("gw", "-4", "route", "show", "table", "all").forEach(r -> lines.add(r.toString()));
        return String.join("\n", lines);
    }

    /** The bodies of the evt/cellular events of one kind received so far. */
    List<JsonNode> events(String kind) {
        return client.on("/evt/cellular").stream().map(r -> r.json().path("body"))
                .filter(e -> kind.equals(e.path("event").asText())).toList();
    }

    static List<Double> times(JsonNode array) {
        List<Double> out = new ArrayList<>();
        array.forEach(t -> out.add(t.isObject() ? t.path("t").asDouble() : t.asDouble()));
        return out;
    }

    static List<Double> failedConnects(JsonNode stats) {
        List<Double> out = new ArrayList<>();
        stats.path("connects").forEach(c -> {
            if (!"ok".equals(c.path("result").asText())) {
                out.add(c.path("t").asDouble());
            }
        });
        return out;
    }

    long okConnects() throws Exception {
        long n = 0;
        for (JsonNode c : mm.stats().path("connects")) {
            n += "ok".equals(c.path("result").asText()) ? 1 : 0;
        }
        return n;
    }

    static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    @Test
    public void theBearersSettingsLandOnWwan0AndFollowTheBearer() throws Exception {
        start(Map.of("dns", List.of("203.0.113.53", "203.0.113.54")), document("\"apn\": \"internet\", "
                + FAST_RECOVERY, ", \"dataCaps\": {\"wwan0\": {\"bytes\": 150000, \"resetDay\": 1}}"));
        long applied = Lab.within(Duration.ofSeconds(10), this::bearerOnWwan0);
        assertTrue("the bearer's address on wwan0:\n" + gateway.transcript(), applied >= 0);
        assertEquals(1430, lab.ip("gw", "link", "show", "dev", "wwan0").path(0).path("mtu").asInt());
        assertTrue("default route of wwan0's table via the bearer's gateway",
                Lab.within(Duration.ofSeconds(5), this::defaultInPortTable) >= 0);
        assertTrue("traffic through the bearer's interface", lab.exec("gw", "ping", "-c", "1", "-W", "2", "-I",
                "wwan0", BEARER_GW).ok());
        // the mock is realistic enough for the real mmcli
        Lab.Result mmcli = mm.mmcli("-m", "0", "-J");
        assertTrue(mmcli.err(), mmcli.ok());
        assertEquals("connected", JSON.readTree(mmcli.out()).path("modem").path("generic").path("state").asText());

        assertTrue(Lab.within(Duration.ofSeconds(5), () -> wwan0Shows(p -> p.path("cellular").path("bearer")
                .path("connected").asBoolean())) >= 0);
        JsonNode status = wwan0();
        assertEquals("cellular", status.path("kind").asText());
        assertEquals(List.of(BEARER_ADDR), List.of(status.path("addresses").path(0).asText()));
        assertEquals(BEARER_GW, status.path("gateway").asText());
        assertEquals("[\"203.0.113.53\",\"203.0.113.54\"]", status.path("dns").toString());
        assertEquals(1430, status.path("mtu").asInt());
        assertTrue(status.toString(), status.path("problem").isNull() || status.path("problem").isMissingNode());
        JsonNode cell = status.path("cellular");
        assertEquals("connected", cell.path("modemState").asText());
        assertEquals("home", cell.path("registration").asText());
        assertEquals("Isthmus Lab Mobile", cell.path("operatorName").asText());
        assertEquals("26201", cell.path("operatorCode").asText());
        assertEquals("[\"lte\"]", cell.path("accessTechnology").toString());
        assertEquals(78, cell.path("signalQuality").asInt());
        assertEquals("356938035643809", cell.path("imei").asText());
        assertEquals(ICCID, cell.path("iccid").asText());
        assertEquals("wwan0", cell.path("bearer").path("interface").asText());

        // stopping and starting the driver bundle: nothing moves, the bearer is adopted, not reconnected
        assertTrue("settled: default via eth0, wwan0's table routes via the bearer", Lab.within(
                Duration.ofSeconds(30), () -> lab.defaultDevice("gw").equals(Optional.of("eth0"))
                        && defaultInPortTable()) >= 0);
        String kernelBefore = kernelState();
        // bundle.stop refuses a data-plane bundle (docs/mqtt.md#protected-bundles): the local shell stops it
        assertEquals(409, call("bundle.stop", Map.of("bundle", "io.isthmus.net.cellular")).path("status").asInt());
        String cellularId = gateway.bundleId("io.isthmus.net.cellular");
        gateway.type("stop " + cellularId);
        assertTrue(Lab.within(Duration.ofSeconds(10), () -> "RESOLVED".equals(client.bundleState(DEVICE,
                "io.isthmus.net.cellular"))) >= 0);
        assertEquals("bearer still connected while the driver is away", 11, mm.stats().path("state").asInt());
        assertEquals("addresses and routes untouched while the driver is away", kernelBefore, kernelState());
        gateway.type("start " + cellularId);
        assertTrue(Lab.within(Duration.ofSeconds(10), () -> "ACTIVE".equals(client.bundleState(DEVICE,
                "io.isthmus.net.cellular"))) >= 0);
        assertTrue("the restarted driver reports the bearer:\n" + gateway.transcript(), Lab.within(
                Duration.ofSeconds(5), () -> wwan0Shows(p -> p.path("cellular").path("bearer").path("connected")
                        .asBoolean())) >= 0);
        assertEquals("the new driver adopted the bearer", 1, okConnects());
        assertEquals("addresses and routes untouched by stop/start", kernelBefore, kernelState());

        // updating the bundle (a new revision) while the DMZ host talks to the internet through eth0: not a single
        // kernel write, not a lost packet, and the new revision adopts the bearer
        Path events = work.resolve("monitor.txt");
        Process monitor = new ProcessBuilder("ip", "-n", lab.ns("gw"), "-4", "-o", "monitor", "address", "route", "rule")
                .redirectErrorStream(true).redirectOutput(events.toFile()).start();
        List<String> pingCmd = new ArrayList<>(lab.inNamespace("dmz"));
        pingCmd.addAll(List.of("ping", "-q", "-n", "-i", "0.05", "-c", "60", "-W", "1", "203.0.113.10"));
        Process ping = new ProcessBuilder(pingCmd).redirectErrorStream(true).start();
        try {
            String id = gateway.bundleId("io.isthmus.net.cellular");
            String adopted = "handed to newly bound applier io.isthmus.net.cellular.CellularDriver";
            long before = gateway.stdout().stream().filter(l -> l.contains(adopted)).count();
            gateway.type("update " + id);
            assertTrue("the new revision got the document:\n" + gateway.transcript(), Lab.within(
                    Duration.ofSeconds(10), () -> gateway.stdout().stream().filter(l -> l.contains(adopted)).count()
                            > before) >= 0);
            assertTrue(Lab.within(Duration.ofSeconds(5), () -> wwan0Shows(p -> p.path("cellular").path("bearer")
                    .path("connected").asBoolean())) >= 0);
            Lab.within(Duration.ofMillis(1500), () -> false); // two drift checks of the new revision
        } finally {
            monitor.destroy();
            monitor.waitFor();
        }
        String pinged = new String(ping.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        ping.waitFor();
        System.out.println("[cellular] DMZ ping across the driver update: " + pinged.lines()
                .filter(l -> l.contains("packet loss")).findFirst().orElse(pinged));
        assertTrue("no packet lost while the cellular driver was updated:\n" + pinged,
                pinged.contains(" 0% packet loss"));
        assertEquals("kernel events while the cellular driver was updated", "", Files.readString(events).strip());
        assertEquals("the updated driver adopted the bearer", 1, okConnects());
        assertEquals(kernelBefore, kernelState());

        // bad input: pointers, and nothing changes
        Map<?, ?> bad = JSON.readValue(document("\"apn\": \"inter net\", \"pin\": \"12\"", ""), Map.class);
        JsonNode invalid = call("config.validate", Map.of("document", bad));
        assertEquals(400, invalid.path("status").asInt());
        List<String> pointers = new ArrayList<>();
        invalid.path("body").path("errors").forEach(e -> pointers.add(e.path("pointer").asText()));
        assertEquals(List.of("/ports/wwan0/cellular/apn", "/ports/wwan0/cellular/pin"), pointers.stream().sorted()
                .toList());
        assertEquals(400, call("config.put", Map.of("document", bad)).path("status").asInt());
        assertEquals(1, okConnects());
        assertTrue(bearerOnWwan0());
        assertEquals(kernelBefore, kernelState());

        // wired gone: the cellular uplink carries the default route and the gateway's DNS is the bearer's
        lab.fault("pull", "wired");
        assertTrue("default via wwan0:\n" + gateway.transcript(), Lab.within(Duration.ofSeconds(5),
                () -> lab.defaultDevice("gw").equals(Optional.of("wwan0"))) >= 0);
        assertTrue(Lab.within(Duration.ofSeconds(5), () -> {
            try {
                return Files.readString(work.resolve("resolv.conf")).contains("nameserver 203.0.113.54");
            } catch (Exception e) {
                return false;
            }
        }) >= 0);
        // the kernel's counters of wwan0 feed the uplink's data cap
        long txBefore = wwan0().path("txBytes").asLong();
        assertTrue(lab.exec("gw", "ping", "-q", "-c", "120", "-i", "0.005", "-s", "1300", "-W", "1", "-I", "wwan0",
                BEARER_GW).ok());
        assertTrue(gateway.transcript(), gateway.awaitOutput("wwan0 reached its data cap", Duration.ofSeconds(5)));
        assertTrue(Lab.within(Duration.ofSeconds(3), () -> wwan0Shows(p -> p.path("txBytes").asLong()
                > txBefore + 120 * 1300)) >= 0);
        lab.fault("restore", "wired");

        // the bearer drops: its address goes, a reconnect after the backoff brings it back
        double failedAt = now();
        mm.call("FailBearer");
        assertTrue(Lab.within(Duration.ofSeconds(5), () -> {
            try {
                return okConnects() == 2;
            } catch (Exception e) {
                return false;
            }
        }) >= 0);
        List<Double> connects = times(mm.stats().path("connects"));
        double reconnectDelay = connects.get(1) - failedAt;
        System.out.printf("[cellular] bearer failure -> reconnect after %.0f ms%n", reconnectDelay * 1000);
        assertTrue("reconnect waited for the backoff (300 ms): " + reconnectDelay, reconnectDelay >= 0.3);
        assertTrue("reconnect within the backoff plus jitter and a poll: " + reconnectDelay, reconnectDelay < 1.5);
        assertTrue(Lab.within(Duration.ofSeconds(3), this::bearerOnWwan0) >= 0);
        assertTrue(Lab.within(Duration.ofSeconds(3), () -> !events("bearerLost").isEmpty()) >= 0);
        JsonNode lost = events("bearerLost").get(0);
        assertEquals("****************7890", lost.path("iccid").asText());
        assertFalse("no full ICCID in events", client.on("/evt/cellular").toString().contains(ICCID));

    }

    @Test
    public void registrationLossBacksOffAndResetsTheModemAtMostOncePerMinimumInterval() throws Exception {
        start(Map.of(), document("\"apn\": \"internet\", " + FAST_RECOVERY, ""));
        assertTrue(Lab.within(Duration.ofSeconds(10), this::bearerOnWwan0) >= 0);
        double lostAt = now();
        mm.call("DropRegistration", "uint32:2"); // a stuck modem: registers again only after two resets
        assertTrue("the bearer's address goes with the registration",
                Lab.within(Duration.ofSeconds(3), () -> addresses("wwan0").isEmpty()) >= 0);
        assertTrue("reconnected after two resets:\n" + gateway.transcript(), Lab.within(Duration.ofSeconds(25),
                () -> {
                    try {
                        return okConnects() == 2;
                    } catch (Exception e) {
                        return false;
                    }
                }) >= 0);
        double recoveredAt = now();
        JsonNode stats = mm.stats();
        List<Double> resets = times(stats.path("resets"));
        List<Double> failed = failedConnects(stats);
        System.out.printf("[cellular] registration lost -> resets at +%.2f s, +%.2f s; failed connects at %s; "
                + "connected again after %.1f s%n", resets.get(0) - lostAt, resets.get(1) - lostAt,
                failed.stream().map(t -> String.format("+%.2f", t - lostAt)).toList(), recoveredAt - lostAt);
        assertEquals("two resets, no more: " + resets, 2, resets.size());
        List<Double> beforeFirstReset = failed.stream().filter(t -> t < resets.get(0)).toList();
        // the loss is failure 1, two failed reconnects make 3: then a reset
        assertEquals("failed reconnects before the first reset: " + failed, 2, beforeFirstReset.size());
        double first = beforeFirstReset.get(0) - lostAt;
        double second = beforeFirstReset.get(1) - beforeFirstReset.get(0);
        assertTrue("first reconnect after 300 ms: " + first, first >= 0.3 && first < 1.2);
        assertTrue("backoff doubled (600 ms): " + second, second >= 0.6 && second < 1.5);
        double interval = resets.get(1) - resets.get(0);
        assertTrue("second reset not within 4 s of the first: " + interval, interval >= 4.0);
        assertTrue("second reset as soon as allowed (next attempt after 4 s): " + interval, interval < 6.5);
        assertTrue(Lab.within(Duration.ofSeconds(3), this::bearerOnWwan0) >= 0);
        assertTrue(Lab.within(Duration.ofSeconds(3), () -> events("modemReset").size() == 2) >= 0);
        Thread.sleep(3000); // a window in which nothing may happen: no reset of a healthy modem
        assertEquals(2, mm.stats().path("resets").size());
        assertTrue(bearerOnWwan0());
    }

    @Test
    public void aRejectedApnNeverResetsTheModemAndANewDocumentFixesIt() throws Exception {
        String recovery = "\"recovery\": {\"reconnectMinMs\": 300, \"reconnectMaxMs\": 1200, "
                + "\"resetAfterFailures\": 2, \"minResetIntervalS\": 2}";
        start(Map.of("rejectApns", List.of("wrong.apn")), document("\"apn\": \"internet\", " + recovery, ""));
        assertTrue(Lab.within(Duration.ofSeconds(10), this::bearerOnWwan0) >= 0);
        Map<?, ?> wrong = JSON.readValue(document("\"apn\": \"wrong.apn\", " + recovery, ""), Map.class);
        JsonNode put = call("config.put", Map.of("document", wrong));
        assertEquals(put.toString(), 200, put.path("status").asInt());
        assertTrue("the old bearer goes, the new APN is rejected", Lab.within(Duration.ofSeconds(10),
                () -> wwan0Shows(p -> p.path("problem").asText().contains("APN rejected by network"))) >= 0);
        assertTrue(addresses("wwan0").isEmpty());
        int attemptsBefore = mm.stats().path("connects").size();
        Thread.sleep(8000); // four times the minimum reset interval, more than resetAfterFailures x reconnectMax
        JsonNode stats = mm.stats();
        int attempts = stats.path("connects").size() - attemptsBefore;
        System.out.printf("[cellular] rejected APN: %d attempts and %d resets in 8 s%n", attempts,
                stats.path("resets").size());
        assertEquals("no reset for a configuration error", 0, stats.path("resets").size());
        assertTrue("retried slowly (every reconnectMax = 1.2 s at most): " + attempts, attempts >= 2 && attempts <= 8);
        JsonNode status = wwan0();
        assertTrue(status.toString(), status.path("problem").asText().contains("APN rejected by network"));
        assertTrue(status.path("addresses").isEmpty());
        assertTrue(addresses("wwan0").isEmpty());
        assertTrue(Lab.within(Duration.ofSeconds(3), () -> events("configurationError").size() == 1) >= 0);
        assertEquals("APN rejected by network", events("configurationError").get(0).path("reason").asText());

        Map<?, ?> fixed = JSON.readValue(document("\"apn\": \"internet\", " + FAST_RECOVERY, ""), Map.class);
        assertEquals(200, call("config.put", Map.of("document", fixed)).path("status").asInt());
        assertTrue(Lab.within(Duration.ofSeconds(10), this::bearerOnWwan0) >= 0);
    }

    @Test
    public void aWrongPinIsSentOnceAndNeverAgain() throws Exception {
        start(Map.of("pin", "1234"), document("\"apn\": \"internet\", \"pin\": \"4321\", " + FAST_RECOVERY, ""));
        assertTrue(Lab.within(Duration.ofSeconds(10), () -> wwan0Shows(p -> p.path("problem").asText()
                .equals("SIM PIN wrong"))) >= 0);
        Thread.sleep(5000);
        JsonNode stats = mm.stats();
        assertEquals("one PIN attempt: the SIM keeps 2 of its 3 tries", 1, stats.path("pins").size());
        assertEquals(2, stats.path("pinRetries").asInt());
        assertEquals(0, stats.path("resets").size());
        assertEquals(0, stats.path("connects").size());
        JsonNode status = wwan0();
        assertEquals("SIM PIN wrong", status.path("problem").asText());
        assertEquals("sim-pin", status.path("cellular").path("simLock").asText());
        assertFalse("never the PIN in status", status.toString().contains("4321"));

        Map<?, ?> fixed = JSON.readValue(document("\"apn\": \"internet\", \"pin\": \"1234\", " + FAST_RECOVERY, ""),
                Map.class);
        assertEquals(200, call("config.put", Map.of("document", fixed)).path("status").asInt());
        assertTrue(Lab.within(Duration.ofSeconds(10), this::bearerOnWwan0) >= 0);
        assertEquals(2, mm.stats().path("pins").size());
    }
}
