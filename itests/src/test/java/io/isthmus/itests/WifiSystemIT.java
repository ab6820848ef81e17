package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * The WiFi driver on the real kernel: the arm-compact distribution in the lab's gw namespace with the lab's WiFi
 * access point ({@code lab.sh up --wifi}: gw wlan0 is a veth to the wap namespace, which runs DHCP and routes to
 * the internet). Management over MQTT (Mosquitto in the lab's internet).
 * <ul>
 * <li>802.1X for real: a real wpa_supplicant ({@code -D wired}, run by the gateway) against a real hostapd
 * ({@code driver=wired}, internal EAP server, certificates made here with openssl) completes PEAP/MSCHAPv2;
 * then DHCP through the Ethernet code path, a ping through wlan0, bad input, a restart of the WiFi bundle, and a
 * wrong password.</li>
 * <li>Scan and association cannot run without a radio (no mac80211_hwsim here): that half talks to
 * {@code resources/wifi/wpa_responder.py}, a control-socket responder of our own that replays wpa_supplicant
 * 2.10 replies (recorded from the real daemon where the wired driver gives them; SCAN_RESULTS, SIGNAL_POLL and
 * a WPA2-PSK STATUS written after its format). The gateway attaches to it as it would to a system
 * wpa_supplicant ({@code startSupplicant=false}).</li>
 * </ul>
 */
public class WifiSystemIT {
    static final String PROFILE = "arm-compact";
    static final String DEVICE = "gw-wifi";
    static final Duration READY = Duration.ofSeconds(60);
    static final Duration REPLY = Duration.ofSeconds(10);
    static final Path RESPONDER = Distribution.root().resolve("itests/src/test/resources/wifi/wpa_responder.py");
    static final String EAP_PASSWORD = "correct-horse-7";
    static final String PSK = "plant floor passphrase 42";
    static final String INTERNET = "203.0.113.10";

    @Rule
    public Timeout timeout = Timeout.seconds(150);

    static Lab lab;
    static MqttLab mqtt;
    Path work;
    GatewayProcess gateway;
    MqttTestClient client;
    final List<Process> helpers = new ArrayList<>();

    @BeforeClass
    public static void labUp() throws Exception {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        lab = Lab.up("--wifi");
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
        work = Files.createTempDirectory("isthmus-wifi-");
    }

    @After
    public void tearDown() throws Exception {
        if (client != null) {
            client.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        for (Process p : helpers) {
            p.destroyForcibly().waitFor();
        }
        Path hostapdPid = work.resolve("hostapd.pid");
        if (Files.exists(hostapdPid)) {
            Lab.run(List.of("kill", Files.readString(hostapdPid).strip()), Duration.ofSeconds(5));
        }
        lab.fault("restore", "wifi");
        try (Stream<Path> s = Files.walk(work)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static String document(String wifi) {
        return """
                {"ports": {
                  "eth0":  {"role": "uplink", "cost": 0, "ipv4": {"method": "dhcp"}},
                  "wlan0": {"kind": "wifi", "role": "uplink", "cost": 10, "ipv4": {"method": "dhcp"}, "wifi": %s}
                 },
                 "dns": {"servers": ["203.0.113.53"]},
                 "management": {"brokers": ["%s"], "deviceId": "%s", "keepAliveSeconds": 5}}
                """.formatted(wifi, MqttLab.BROKER, DEVICE);
    }

    String peap(String password) {
        return """
                {"ssid": "lab-8021x", "security": "wpa2-eap",
                 "eap": {"method": "peap", "identity": "alice", "password": "%s", "phase2": "mschapv2",
                         "caCert": "%s"}}""".formatted(password, work.resolve("ca.pem"));
    }

    void startGateway(String json, String wifiOptions) throws Exception {
        Path doc = work.resolve("network.json");
        Files.writeString(doc, json);
        gateway = GatewayProcess.start(lab.inNamespace("gw"), PROFILE, Optional.of(doc), work.resolve("state"),
                Map.of("ISTHMUS_JAVA_OPTS", "-Disthmus.resolv.conf=" + work.resolve("resolv.conf") + " " + wifiOptions),
                List.of("--shell"));
        assertTrue(gateway.transcript(), gateway.awaitReady(READY).isPresent());
        client = MqttTestClient.v5("it-" + UUID.randomUUID(), true);
        client.subscribe("isthmus/v1/" + DEVICE + "/evt/wifi");
    }

    /** Waits for an evt/wifi of this kind (and SSID, if given); its body. */
    JsonNode awaitEvent(String event, String... ssid) throws Exception {
        JsonNode[] found = {null};
        long ms = Lab.within(Duration.ofSeconds(15), () -> client.on("/evt/wifi").stream()
                .map(r -> r.json().path("body")).filter(j -> event.equals(j.path("event").asText()))
                .filter(j -> ssid.length == 0 || ssid[0].equals(j.path("ssid").asText()))
                .peek(j -> found[0] = j).findFirst().isPresent());
        assertTrue("evt/wifi " + event + "; got " + client.on("/evt/wifi"), ms >= 0);
        return found[0];
    }

    JsonNode call(String command, Map<String, Object> request) throws Exception {
        return client.request(DEVICE, command, request, REPLY);
    }

    /** wlan0 in the gateway's status, or a missing node when the gateway does not answer. */
    JsonNode wlan0() {
        try {
            for (JsonNode p : call("status", Map.of()).at("/body/ports")) {
                if ("wlan0".equals(p.path("name").asText())) {
                    return p;
                }
            }
        } catch (Exception e) {
            // not connected to the broker yet: no answer
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    /** Polls status until wlan0 matches; the matching status, or fails with the last one seen. */
    JsonNode awaitWlan0(String what, Duration within, Predicate<JsonNode> condition) throws Exception {
        JsonNode[] last = {null};
        long ms = Lab.within(within, () -> condition.test(last[0] = wlan0()));
        assertTrue(what + "; last status: " + last[0] + "\n" + gateway.transcript(), ms >= 0);
        System.out.println("[wifi] " + what + " after " + ms + " ms");
        return last[0];
    }

    static boolean hasAddress(JsonNode port, String cidr) {
        for (JsonNode a : port.path("addresses")) {
            if (a.asText().equals(cidr)) {
                return true;
            }
        }
        return false;
    }

    /** The pid of the gateway's wpa_supplicant for wlan0, or blank. */
    String pgrep() {
        try {
            return lab.exec("gw", "pgrep", "-f", "wpa_supplicant -i wlan0").out().strip();
        } catch (Exception e) {
            return "";
        }
    }

    Lab.Result wpaCli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(lab.inNamespace("gw"));
        cmd.addAll(List.of("wpa_cli", "-p", work.resolve("wpa").toString(), "-i", "wlan0"));
        cmd.addAll(List.of(args));
        return Lab.run(cmd, Duration.ofSeconds(10));
    }

    /** CA and server certificate for hostapd's EAP server, and hostapd itself on the access point's side. */
    void startAuthenticator() throws Exception {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                "-subj", "/CN=Isthmus lab CA");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj",
                "/CN=radius.isthmus.test");
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                "server.pem", "-days", "2");
        Files.writeString(work.resolve("eap_users"), "* PEAP,TTLS\n\"alice\" MSCHAPV2,TTLS-MSCHAPV2 \""
                + EAP_PASSWORD + "\" [2]\n");
        Files.writeString(work.resolve("hostapd.conf"), String.join("\n", "interface=" + lab.get("WAP_DOWN_IF"),
                "driver=wired", "ieee8021x=1", "eap_reauth_period=0", "use_pae_group_addr=1", "eap_server=1",
                "eap_user_file=" + work.resolve("eap_users"), "ca_cert=" + work.resolve("ca.pem"),
                "server_cert=" + work.resolve("server.pem"), "private_key=" + work.resolve("server.key"), ""));
        Lab.Result r = lab.exec("wap", "hostapd", "-B", "-P", work.resolve("hostapd.pid").toString(),
                work.resolve("hostapd.conf").toString());
        assertTrue("hostapd: " + r.out() + r.err(), r.ok());
    }

    void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve("openssl.log").toFile()).start();
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0);
    }

    @Test
    public void enterpriseAuthenticationAddressingBadInputBundleRestartAndAWrongPassword() throws Exception {
        startAuthenticator();
        startGateway(document(peap(EAP_PASSWORD)), "-Disthmus.wifi.supplicantDriver=wired -Disthmus.wifi.ctrlDir="
                + work.resolve("wpa"));
        String gwAddr = lab.get("GW_WIFI_ADDR") + "/24";

        // (a) the EAP exchange completes against hostapd, then DHCP gives the reserved address
        JsonNode up = awaitWlan0("802.1X authorized and addressed", Duration.ofSeconds(30),
                p -> "COMPLETED".equals(p.at("/wifi/state").asText()) && hasAddress(p, gwAddr));
        assertEquals("SUCCESS", up.at("/wifi/eapState").asText());
        assertEquals("PEAP", up.at("/wifi/eapMethod").asText());
        assertTrue(up.at("/wifi/authorized").asBoolean());
        assertTrue(up.at("/wifi/keyManagement").asText().contains("802.1X"));
        assertEquals(lab.get("WAP_DHCP_ROUTER"), up.path("gateway").asText());
        assertTrue(up.path("problem").isNull());
        assertTrue("a ping from the WiFi address reaches the internet through wlan0",
                lab.exec("gw", "ping", "-c", "1", "-W", "2", "-I", lab.get("GW_WIFI_ADDR"), INTERNET).ok());
        assertTrue(lab.exec("gw", "ip", "route", "get", INTERNET, "from", lab.get("GW_WIFI_ADDR")).out()
                .contains("dev wlan0"));
        JsonNode config = call("config.get", Map.of());
        assertFalse("config.get never echoes the EAP password", config.toString().contains(EAP_PASSWORD));
        assertFalse("nor does status", wlan0().toString().contains(EAP_PASSWORD));

        // (c) bad input: rejected with pointers, nothing changes (kernel, wpa_supplicant's network)
        String networkBefore = wpaCli("get_network", "0", "id_str").out();
        String addressesBefore = lab.ipText("gw", "addr", "show");
        JsonNode shortPsk = call("config.validate", Map.of("document", MqttTestClient.JSON.readValue(document(
                "{\"ssid\": \"lab\", \"security\": \"wpa2-psk\", \"psk\": \"short\"}"), Map.class)));
        assertEquals(shortPsk.toString(), 400, shortPsk.path("status").asInt());
        assertEquals("/ports/wlan0/wifi/psk", shortPsk.at("/error/pointer").asText());
        Map<?, ?> leap = MqttTestClient.JSON.readValue(document("{\"ssid\": \"lab\", \"security\": \"wpa2-eap\","
                + " \"eap\": {\"method\": \"leap\", \"identity\": \"alice\", \"password\": \"x\"}}"), Map.class);
        JsonNode unknownMethod = call("config.put", Map.of("document", leap));
        assertEquals(unknownMethod.toString(), 400, unknownMethod.path("status").asInt());
        assertEquals("/ports/wlan0/wifi/eap/method", unknownMethod.at("/error/pointer").asText());
        assertEquals(networkBefore, wpaCli("get_network", "0", "id_str").out());
        assertEquals(addressesBefore, lab.ipText("gw", "addr", "show"));

        // (d) the WiFi bundle stopped and started: Ethernet's addresses and routes untouched, the association
        // and the WiFi address kept, the new instance adopts the running wpa_supplicant
        String eth0 = lab.ipText("gw", "addr", "show", "dev", "eth0");
        String routes = lab.ipText("gw", "route", "show", "table", "all");
        String supplicant = pgrep();
        assertFalse("wpa_supplicant runs", supplicant.isBlank());
        // every route change from here to the end of the update: a driver that comes back must not make routing
        // drop the WiFi port's routes, not even for a moment (a snapshot can miss a short gap)
        Path routeEvents = work.resolve("route-events.txt");
        Process routeMonitor = new ProcessBuilder("ip", "-n", lab.ns("gw"), "-o", "monitor", "route")
                .redirectErrorStream(true).redirectOutput(routeEvents.toFile()).start();
        try {
            // bundle.stop refuses a data-plane bundle (docs/mqtt.md#protected-bundles): the local shell stops it
            assertEquals(409, call("bundle.stop", Map.of("bundle", "io.isthmus.net.wifi")).path("status").asInt());
            String wifiId = gateway.bundleId("io.isthmus.net.wifi");
            gateway.type("stop " + wifiId);
            assertTrue(Lab.within(Duration.ofSeconds(10), () -> "RESOLVED".equals(client.bundleState(DEVICE,
                    "io.isthmus.net.wifi"))) >= 0);
            assertEquals(eth0, lab.ipText("gw", "addr", "show", "dev", "eth0"));
            assertEquals(gateway.transcript(), routes, lab.ipText("gw", "route", "show", "table", "all"));
            assertTrue(lab.exec("gw", "ping", "-c", "1", "-W", "2", "-I", lab.get("GW_WIFI_ADDR"), INTERNET).ok());
            gateway.type("start " + wifiId);
            assertTrue(Lab.within(Duration.ofSeconds(10), () -> "ACTIVE".equals(client.bundleState(DEVICE,
                    "io.isthmus.net.wifi"))) >= 0);
            assertTrue(gateway.awaitOutput("wifi wlan0: adopted the running network", Duration.ofSeconds(10)));
            awaitWlan0("status back after the restart", Duration.ofSeconds(10),
                    p -> "COMPLETED".equals(p.at("/wifi/state").asText()) && hasAddress(p, gwAddr));
            assertEquals(eth0, lab.ipText("gw", "addr", "show", "dev", "eth0"));
            assertEquals("the same wpa_supplicant", supplicant, pgrep());

            // a bundle update (a new class loader, which loads junixsocket's JNI library again) adopts it likewise
            gateway.type("update " + gateway.bundleId("io.isthmus.net.wifi"));
            assertTrue("adopted again after the update:\n" + gateway.transcript(), Lab.within(Duration.ofSeconds(10),
                    () -> gateway.stdout().stream().filter(l -> l.contains("adopted the running network")).count() == 2)
                    >= 0);
            awaitWlan0("status back after the update", Duration.ofSeconds(10),
                    p -> "COMPLETED".equals(p.at("/wifi/state").asText()) && hasAddress(p, gwAddr));
            assertEquals(eth0, lab.ipText("gw", "addr", "show", "dev", "eth0"));
            assertEquals(routes, lab.ipText("gw", "route", "show", "table", "all"));
            assertEquals("the same wpa_supplicant", supplicant, pgrep());
        } finally {
            routeMonitor.destroy();
            routeMonitor.waitFor();
        }
        List<String> dropped = Files.readAllLines(routeEvents).stream()
                .filter(l -> l.startsWith("Deleted") && l.contains("wlan0")).toList();
        assertEquals("WiFi routes deleted during the bundle stop, start and update:\n" + gateway.transcript(),
                List.of(), dropped);

        // the "radio" is switched off: status shows no carrier (what the uplink manager fails over on)
        lab.fault("pull", "wifi");
        awaitWlan0("no carrier once the access point is gone", Duration.ofSeconds(10),
                p -> p.has("carrier") && !p.path("carrier").asBoolean());
        lab.fault("restore", "wifi");
        awaitWlan0("carrier back", Duration.ofSeconds(10), p -> p.path("carrier").asBoolean());

        // wpa_supplicant dies: the linux bundle starts it again, the driver attaches, configures and authenticates
        assertTrue(lab.exec("gw", "pkill", "-KILL", "-f", "wpa_supplicant -i wlan0").ok());
        long reconfigured = Lab.within(Duration.ofSeconds(20), () -> gateway.stdout().stream()
                .filter(l -> l.contains("wifi wlan0: network set")).count() == 2);
        assertTrue("the restarted daemon got the network again:\n" + gateway.transcript(), reconfigured >= 0);
        System.out.println("[wifi] wpa_supplicant killed -> network set on its successor after " + reconfigured
                + " ms");
        awaitWlan0("authorized again after wpa_supplicant was killed", Duration.ofSeconds(20),
                p -> "COMPLETED".equals(p.at("/wifi/state").asText()) && hasAddress(p, gwAddr));
        assertFalse(pgrep().isEmpty() || supplicant.equals(pgrep()));

        // a wrong EAP password: status says why, wlan0 has no address, the gateway stays manageable over eth0
        Map<?, ?> wrong = MqttTestClient.JSON.readValue(document(peap("wrong-password")), Map.class);
        JsonNode put = call("config.put", Map.of("document", wrong));
        assertEquals(put.toString(), 200, put.path("status").asInt());
        JsonNode failed = awaitWlan0("the wrong password is reported", Duration.ofSeconds(30),
                p -> p.path("problem").asText().contains("802.1X authentication failed")
                        && p.path("addresses").isEmpty());
        assertEquals("FAILURE", failed.at("/wifi/eapState").asText());
        JsonNode authFailed = awaitEvent("auth-failed");
        assertEquals("wlan0", authFailed.path("port").asText());
        assertTrue(authFailed.toString(), authFailed.path("reason").asText().contains("802.1X authentication failed"));
        assertFalse(client.on("/evt/wifi").toString().contains("wrong-password"));
        assertFalse(lab.ipText("gw", "addr", "show", "dev", "wlan0").contains(lab.get("GW_WIFI_ADDR")));
        assertFalse(gateway.transcript().contains("wrong-password"));
        assertFalse(gateway.transcript().contains(EAP_PASSWORD));

        // an open network (what failover tests in the lab use): associated at once, addressed by DHCP
        Map<?, ?> open = MqttTestClient.JSON.readValue(document("{\"ssid\": \"lab\"}"), Map.class);
        assertEquals(200, call("config.put", Map.of("document", open)).path("status").asInt());
        JsonNode opened = awaitWlan0("open network joined and addressed", Duration.ofSeconds(20),
                p -> "COMPLETED".equals(p.at("/wifi/state").asText()) && hasAddress(p, gwAddr));
        assertEquals("NONE", opened.at("/wifi/keyManagement").asText());
        assertEquals("wlan0", awaitEvent("connected", "lab").path("port").asText());
        assertTrue(opened.path("problem").isNull());

        // wlan0 leaves the document: its address, its network and its wpa_supplicant go; eth0 stays
        Map<String, Object> wiredOnly = MqttTestClient.JSON.readValue(document("{}"), Map.class);
        ((Map<?, ?>) wiredOnly.get("ports")).remove("wlan0");
        assertEquals(200, call("config.put", Map.of("document", wiredOnly)).path("status").asInt());
        assertTrue("wpa_supplicant stopped", Lab.within(Duration.ofSeconds(10), () -> pgrep().isEmpty()) >= 0);
        assertFalse(lab.ipText("gw", "addr", "show", "dev", "wlan0").contains(lab.get("GW_WIFI_ADDR")));
        assertEquals(eth0, lab.ipText("gw", "addr", "show", "dev", "eth0"));
    }

    @Test
    public void scanAndAssociationThroughAReplayedControlSocket() throws Exception {
        Path ctl = Files.createDirectories(work.resolve("ctl"));
        Path log = work.resolve("responder.log");
        List<String> cmd = new ArrayList<>(lab.inNamespace("gw"));
        cmd.addAll(List.of("python3", RESPONDER.toString(), ctl.resolve("wlan0").toString(), log.toString()));
        helpers.add(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(work.resolve("responder.out").toFile()).start());
        assertTrue(Lab.within(Duration.ofSeconds(10), () -> Files.exists(ctl.resolve("wlan0"))) >= 0);

        // the strongest "plant-floor" BSS is 02:aa:00:00:00:01 on 2.4 GHz; the document pins the 5 GHz one
        String pinned = "{\"ssid\": \"plant-floor\", \"security\": \"wpa2-psk\", \"psk\": \"" + PSK + "\","
                + " \"bssid\": \"02:AA:00:00:00:02\", \"band\": \"5\"}";
        startGateway(document(pinned), "-Disthmus.wifi.startSupplicant=false -Disthmus.wifi.ctrlDir=" + ctl);
        JsonNode up = awaitWlan0("associated with the pinned BSS and addressed", Duration.ofSeconds(30),
                p -> "COMPLETED".equals(p.at("/wifi/state").asText()) && hasAddress(p, lab.get("GW_WIFI_ADDR")
                        + "/24"));
        assertEquals("02:aa:00:00:00:02", up.at("/wifi/bssid").asText());
        assertEquals("plant-floor", up.at("/wifi/ssid").asText());
        assertEquals(5180, up.at("/wifi/frequencyMhz").asInt());
        assertEquals("5", up.at("/wifi/band").asText());
        assertEquals(-61, up.at("/wifi/signalDbm").asInt());
        assertEquals(866, up.at("/wifi/linkSpeedMbps").asInt());
        assertEquals("WPA2-PSK", up.at("/wifi/keyManagement").asText());

        String commands = Files.readString(log);
        assertTrue(commands, commands.contains("SET_NETWORK 0 ssid 706c616e742d666c6f6f72")); // hex of the SSID
        assertTrue(commands, commands.contains("SET_NETWORK 0 key_mgmt WPA-PSK"));
        assertTrue(commands, commands.contains("SET_NETWORK 0 bssid 02:aa:00:00:00:02"));
        assertTrue(commands, commands.contains("SET_NETWORK 0 freq_list 5180 5200"));
        assertTrue(commands, commands.contains("SET_NETWORK 0 psk <secret>"));
        assertFalse("the PSK is never logged", gateway.transcript().contains(PSK));

        JsonNode scan = call("diag.wifi.scan", Map.of("port", "wlan0"));
        assertEquals(scan.toString(), 200, scan.path("status").asInt());
        assertTrue(scan.at("/body/fresh").asBoolean());
        assertEquals(4, scan.at("/body/results").size());
        JsonNode cafe = scan.at("/body/results/2");
        assertEquals("café", cafe.path("ssid").asText());
        assertEquals("5", cafe.path("band").asText());
        assertEquals(-70, cafe.path("signalDbm").asInt());
        assertEquals(404, call("diag.wifi.scan", Map.of("port", "eth0")).path("status").asInt());

        // without pin and band, the strongest BSS of the SSID is joined ...
        Map<?, ?> free = MqttTestClient.JSON.readValue(document("{\"ssid\": \"plant-floor\", \"psk\": \"" + PSK
                + "\"}"), Map.class);
        assertEquals(200, call("config.put", Map.of("document", free)).path("status").asInt());
        JsonNode moved = awaitWlan0("joined the strongest BSS", Duration.ofSeconds(20),
                p -> "02:aa:00:00:00:01".equals(p.at("/wifi/bssid").asText()));
        assertEquals("2.4", moved.at("/wifi/band").asText());
        assertEquals(-48, moved.at("/wifi/signalDbm").asInt());

        // ... and a preferred access point (bssid_hint) although another one of the SSID is stronger
        Map<?, ?> preferred = MqttTestClient.JSON.readValue(document("{\"ssid\": \"plant-floor\", \"psk\": \""
                + PSK + "\", \"preferredBssid\": \"02:aa:00:00:00:02\"}"), Map.class);
        assertEquals(200, call("config.put", Map.of("document", preferred)).path("status").asInt());
        JsonNode hinted = awaitWlan0("joined the preferred BSS", Duration.ofSeconds(20),
                p -> "02:aa:00:00:00:02".equals(p.at("/wifi/bssid").asText()));
        assertEquals(-61, hinted.at("/wifi/signalDbm").asInt());
        assertTrue(readLog(log).contains("SET_NETWORK 2 bssid_hint 02:aa:00:00:00:02"));
        assertFalse("a preference is no pin", readLog(log).contains("SET_NETWORK 2 bssid "));
    }

    static String readLog(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
