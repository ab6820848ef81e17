package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * Uplink failover on the real kernel: the x86-industrial distribution in the lab's gw namespace, faults made on
 * the ISP side (cable pull, silent upstream failure), traffic from the DMZ host to the internet. Every test
 * starts a gateway with a fresh state dir (data usage and the last selection are persisted there).
 */
public class UplinkFailoverIT {
    static final String PROFILE = "x86-industrial";
    static final Duration READY = Duration.ofSeconds(60);
    static final String INTERNET = "203.0.113.10";
    static final Path TOOLS = Distribution.root().resolve("itests/src/test/resources/uplink");

    @Rule
    public Timeout timeout = Timeout.seconds(180);

    static Lab lab;
    Path work;
    GatewayProcess gateway;
    final List<Process> helpers = new ArrayList<>();

    @BeforeClass
    public static void labUp() throws Exception {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        lab = Lab.up();
    }

    @AfterClass
    public static void labDown() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    @Before
    public void setUp() throws IOException {
        work = Files.createTempDirectory("isthmus-uplink-");
    }

    @After
    public void tearDown() throws Exception {
        for (Process p : helpers) {
            p.destroyForcibly().waitFor();
        }
        if (gateway != null) {
            gateway.close();
        }
        for (String isp : List.of("wired", "cell")) {
            lab.fault("restore", isp);
        }
        try (Stream<Path> s = Files.walk(work)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The lab document with a probe of the internet host and the given uplink settings. */
    static String document(int wwanCost, int eth0Cost, String uplinkExtra) {
        return """
                {"ports": {
                  "eth0":  {"role": "uplink", "cost": %d, "ipv4": {"method": "dhcp"}},
                  "wwan0": {"kind": "ethernet", "role": "uplink", "cost": %d,
                            "ipv4": {"method": "static", "address": "100.65.1.10/24", "gateway": "100.65.1.1"}},
                  "eth1":  {"role": "dmz", "ipv4": {"method": "static", "address": "192.168.50.1/24"}},
                  "eth2":  {"role": "offline", "ipv4": {"method": "static", "address": "10.20.0.1/24"}}
                 },
                 "uplink": {"probe": {"targets": ["203.0.113.10"], "intervalMs": 500, "timeoutMs": 400,
                                      "downAfter": 3, "upAfter": 5}, "minDwellMs": 3000%s},
                 "firewall": {"conduits": [{"from": "dmz", "to": "uplink", "protocol": "any"}]}}
                """.formatted(eth0Cost, wwanCost, uplinkExtra);
    }

    static final String DEFAULT_DOC = document(100, 0, "");

    GatewayProcess start(String json, List<String> options) throws Exception {
        Path doc = work.resolve("network-" + System.nanoTime() + ".json");
        Files.writeString(doc, json);
        return GatewayProcess.start(lab.inNamespace("gw"), PROFILE, Optional.of(doc), work.resolve("state"),
                Map.of("ISTHMUS_JAVA_OPTS", "-Disthmus.resolv.conf=" + work.resolve("resolv.conf")), options);
    }

    /** Starts the gateway and waits until the uplink manager chose {@code active}. */
    void startSettled(String json, String active) throws Exception {
        gateway = start(json, List.of());
        assertTrue(gateway.transcript(), gateway.awaitReady(READY).isPresent());
        assertTrue("the uplink manager chose " + active + ":\n" + gateway.transcript(),
                gateway.awaitOutput("-> " + active + " (", Duration.ofSeconds(20)));
        assertTrue(Lab.within(Duration.ofSeconds(5), () -> defaultDevices().equals(List.of(active))) >= 0);
    }

    /** The devices of the main table's default route: one, or the nexthops of a multipath route. */
    List<String> defaultDevices() {
        try {
            for (JsonNode r : lab.ip("gw", "route", "show", "table", "main")) {
                if ("default".equals(r.path("dst").asText()) && !r.has("type")) {
                    List<String> devs = new ArrayList<>();
                    if (r.has("nexthops")) {
                        r.path("nexthops").forEach(h -> devs.add(h.path("dev").asText()));
                    } else {
                        devs.add(r.path("dev").asText());
                    }
                    return devs;
                }
            }
        } catch (Exception e) {
            // not readable right now: no answer
        }
        return List.of();
    }

    boolean defaultVia(String dev) {
        return defaultDevices().equals(List.of(dev));
    }

    boolean dmzReachesInternet() {
        try {
            return lab.ping("dmz", INTERNET);
        } catch (Exception e) {
            return false;
        }
    }

    JsonNode stats(String node, String dev) throws Exception {
        return lab.ip(node, "-s", "link", "show", "dev", dev).path(0).path("stats64").path("rx");
    }

    @Test
    public void cablePullSwitchesToCellularAtOnceAndFailbackWaitsForTheHysteresis() throws Exception {
        startSettled(DEFAULT_DOC, "eth0");
        lab.fault("pull", "wired");
        long switched = Lab.within(Duration.ofSeconds(2), () -> defaultVia("wwan0"));
        assertTrue("default route moved to wwan0:\n" + gateway.transcript(), switched >= 0);
        System.out.println("[uplink] cable pull -> default via wwan0 after " + switched + " ms");
        assertTrue("the DMZ host reaches the internet through the cellular uplink",
                Lab.within(Duration.ofSeconds(3), this::dmzReachesInternet) >= 0);

        lab.fault("restore", "wired");
        long restored = System.nanoTime();
        assertEquals("1 s after the cable is back, wired is not trusted yet", -1,
                Lab.within(Duration.ofSeconds(1), () -> defaultVia("eth0")));
        assertTrue(Lab.within(Duration.ofSeconds(15), () -> defaultVia("eth0")) >= 0);
        long failback = (System.nanoTime() - restored) / 1_000_000;
        System.out.println("[uplink] cable back -> default via eth0 after " + failback + " ms");
        assertTrue("failback waited for 5 good probes (2 s at least): " + failback, failback >= 2000);
        assertTrue(dmzReachesInternet());
    }

    @Test
    public void silentUpstreamFailureIsDetectedByProbesAndRecoveryLikewise() throws Exception {
        startSettled(DEFAULT_DOC, "eth0");
        lab.fault("cut", "wired");
        long detected = Lab.within(Duration.ofSeconds(5), () -> defaultVia("wwan0"));
        assertTrue("switched to wwan0 on a dead upstream with carrier:\n" + gateway.transcript(), detected >= 0);
        System.out.println("[uplink] silent upstream failure -> default via wwan0 after " + detected + " ms");
        assertTrue(gateway.awaitOutput("eth0 is down: 3 probes failed in a row", Duration.ofSeconds(1)));
        assertTrue(Lab.within(Duration.ofSeconds(3), this::dmzReachesInternet) >= 0);

        lab.fault("restore", "wired");
        long back = Lab.within(Duration.ofSeconds(15), () -> defaultVia("eth0"));
        assertTrue("back on eth0 once its probes answer again", back >= 0);
        System.out.println("[uplink] upstream back -> default via eth0 after " + back + " ms");
        assertTrue(dmzReachesInternet());
    }

    @Test
    public void equalCostUplinksShareTheLoad() throws Exception {
        gateway = start(document(0, 0, ""), List.of());
        assertTrue(gateway.transcript(), gateway.awaitReady(READY).isPresent());
        assertTrue("one multipath default route over both:\n" + gateway.transcript(), Lab.within(
                Duration.ofSeconds(20), () -> defaultDevices().equals(List.of("eth0", "wwan0"))) >= 0);
        long wired = stats("ispw", "down0").path("packets").asLong();
        long cell = stats("ispc", "down0").path("packets").asLong();
        Lab.Result sent = lab.exec("dmz", "python3", TOOLS.resolve("udp-flows.py").toString(), INTERNET, "9", "32",
                "20");
        assertTrue(sent.err(), sent.ok());
        long wiredFlows = stats("ispw", "down0").path("packets").asLong() - wired;
        long cellFlows = stats("ispc", "down0").path("packets").asLong() - cell;
        System.out.println("[uplink] 640 datagrams in 32 flows: " + wiredFlows + " via wired, " + cellFlows
                + " via cellular");
        assertTrue("both uplinks carry flows: wired " + wiredFlows + ", cellular " + cellFlows,
                wiredFlows >= 60 && cellFlows >= 60);
        assertTrue("all of them went out", wiredFlows + cellFlows >= 640);
    }

    @Test
    public void aCappedUplinkIsUsedOnlyWhenNothingElseIsUp() throws Exception {
        // cellular is the cheaper one here, but it may move only 150 kB this month
        startSettled(document(0, 10, ", \"dataCaps\": {\"wwan0\": {\"bytes\": 150000, \"resetDay\": 1}}"), "wwan0");
        lab.exec("dmz", "ping", "-c", "80", "-i", "0.01", "-s", "1400", "-q", INTERNET);
        assertTrue("cap reached: wired takes over:\n" + gateway.transcript(),
                Lab.within(Duration.ofSeconds(5), () -> defaultVia("eth0")) >= 0);
        assertTrue(gateway.awaitOutput("wwan0 reached its data cap", Duration.ofSeconds(1)));

        lab.fault("pull", "wired");
        assertTrue("nothing else up: the capped uplink carries the traffic",
                Lab.within(Duration.ofSeconds(2), () -> defaultVia("wwan0")) >= 0);
        assertTrue(Lab.within(Duration.ofSeconds(3), this::dmzReachesInternet) >= 0);
        lab.fault("restore", "wired");
        assertTrue("and is left again as soon as wired is healthy",
                Lab.within(Duration.ofSeconds(15), () -> defaultVia("eth0")) >= 0);
    }

    @Test
    public void aCostlyStandbyUplinkIsProbedSlowlyWithSmallPackets() throws Exception {
        startSettled(document(100, 0, ", \"costly\": {\"above\": 50, \"intervalMs\": 2000, \"payloadBytes\": 16}"),
                "eth0");
        // count the echo requests the gateway sends from wwan0's address, at the cellular ISP
        lab.exec("ispc", "nft", "add", "table", "ip", "probes");
        lab.exec("ispc", "nft", "add", "chain", "ip", "probes", "in",
                "{ type filter hook prerouting priority 0; }");
        try {
            lab.exec("ispc", "nft", "add", "rule", "ip", "probes", "in", "ip", "saddr", "100.65.1.10", "icmp", "type",
                    "echo-request", "counter");
            long start = System.nanoTime();
            Lab.within(Duration.ofSeconds(10), () -> false); // the counting window
            double seconds = (System.nanoTime() - start) / 1e9;
            JsonNode counter = probeCounter();
            long packets = counter.path("packets").asLong();
            long bytes = counter.path("bytes").asLong();
            System.out.printf("[uplink] standby cellular: %d echo requests, %d IP bytes in %.1f s at the ISP%n",
                    packets, bytes, seconds);
            assertTrue("one probe every 2 s, not every 500 ms: " + packets, packets >= 4 && packets <= 6);
            assertEquals("small packets: IP 20 + ICMP 8 + payload 16", 44, bytes / packets);
        } finally {
            lab.exec("ispc", "nft", "delete", "table", "ip", "probes");
        }
    }

    JsonNode probeCounter() throws Exception {
        JsonNode table = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                lab.exec("ispc", "nft", "-j", "list", "table", "ip", "probes").out());
        for (JsonNode item : table.path("nftables")) {
            for (JsonNode expr : item.path("rule").path("expr")) {
                if (expr.has("counter")) {
                    return expr.path("counter");
                }
            }
        }
        throw new AssertionError("no counter in " + table);
    }

    @Test
    public void aLongLivedTcpFlowIsBackWithinTwoSecondsOfTheSwitch() throws Exception {
        startSettled(DEFAULT_DOC, "eth0");
        helpers.add(new ProcessBuilder("ip", "netns", "exec", lab.ns("inet"), "socat",
                "TCP-LISTEN:7000,bind=" + INTERNET + ",reuseaddr,fork", "EXEC:cat").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        Path echoes = work.resolve("echoes.txt");
        Process client = new ProcessBuilder("ip", "netns", "exec", lab.ns("dmz"), "python3",
                TOOLS.resolve("tcp-echo-client.py").toString(), INTERNET, "7000", "8").redirectErrorStream(true)
                .redirectOutput(echoes.toFile()).start();
        helpers.add(client);
        assertTrue("the flow runs", Lab.within(Duration.ofSeconds(3), () -> lines(echoes).stream()
                .filter(l -> l.startsWith("echo")).count() > 10) >= 0);
        lab.fault("pull", "wired");
        assertTrue(Lab.within(Duration.ofSeconds(2), () -> defaultVia("wwan0")) >= 0);
        long switchedAt = System.currentTimeMillis();
        assertTrue(client.waitFor(15, java.util.concurrent.TimeUnit.SECONDS));
        long firstAfter = lines(echoes).stream().filter(l -> l.startsWith("echo "))
                .mapToLong(l -> Long.parseLong(l.substring(5).trim())).filter(t -> t > switchedAt).min()
                .orElse(Long.MAX_VALUE);
        System.out.println("[uplink] TCP flow: first echo " + (firstAfter - switchedAt) + " ms after the switch ("
                + lines(echoes).stream().filter(l -> l.startsWith("connected")).count() + " connection(s))");
        assertTrue("echoes again within 2 s of the switch, not stuck on the dead uplink:\n"
                + String.join("\n", lines(echoes)), firstAfter - switchedAt <= 2000);
    }

    @Test
    public void theMqttSessionIsBackWithinThreeSecondsOfASwitch() throws Exception {
        Path conf = work.resolve("mosquitto.conf");
        Files.writeString(conf, "listener 1883 " + INTERNET + "\nallow_anonymous true\n");
        Path brokerLog = work.resolve("mosquitto.log");
        helpers.add(new ProcessBuilder("ip", "netns", "exec", lab.ns("inet"), "mosquitto", "-v", "-c",
                conf.toString()).redirectErrorStream(true).redirectOutput(brokerLog.toFile()).start());
        // a long keep-alive: only the uplink switch, not the keep-alive, can bring the session back in time
        startSettled(DEFAULT_DOC.replace("\"firewall\"", "\"management\": {\"brokers\": [\"tcp://" + INTERNET
                + ":1883\"], \"deviceId\": \"gw-uplink\", \"keepAliveSeconds\": 60}, \"firewall\""), "eth0");
        // the agent reconnects once when the manager first settles on eth0: wait for the session after that
        assertTrue("a session through the wired uplink:\n" + String.join("\n", lines(brokerLog)), Lab.within(
                Duration.ofSeconds(20), () -> sessionFrom(brokerLog, "100.64.1.10")) >= 0);
        lab.fault("cut", "wired");
        assertTrue(Lab.within(Duration.ofSeconds(5), () -> defaultVia("wwan0")) >= 0);
        long back = Lab.within(Duration.ofSeconds(3), () -> sessionFrom(brokerLog, "100.65.1.10"));
        System.out.println("[uplink] MQTT session back through wwan0 " + back + " ms after the switch");
        assertTrue("a new MQTT session through the cellular uplink within 3 s of the switch:\n"
                + String.join("\n", lines(brokerLog)), back >= 0);
    }

    /** The broker's latest word on the gateway's session: connected from this address (and not gone since). */
    static boolean sessionFrom(Path brokerLog, String address) {
        return lines(brokerLog).stream().filter(l -> l.contains("New client connected from ")
                || l.contains(" disconnected") || l.contains("closed its connection")).reduce((a, b) -> b)
                .filter(l -> l.contains("New client connected from " + address + ":")).isPresent();
    }

    static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Test
    public void updatingTheUplinkBundleDoesNotMoveTheDefaultRoute() throws Exception {
        gateway = start(DEFAULT_DOC, List.of("--shell"));
        assertTrue(gateway.transcript(), gateway.awaitReady(READY).isPresent());
        assertTrue(gateway.awaitOutput("-> eth0 (", Duration.ofSeconds(20)));
        Lab.within(Duration.ofMillis(1500), () -> false); // settled
        String before = lab.ipText("gw", "route", "show", "table", "main");
        Path events = work.resolve("monitor.txt");
        Process monitor = new ProcessBuilder("ip", "-n", lab.ns("gw"), "-o", "monitor", "route")
                .redirectErrorStream(true).redirectOutput(events.toFile()).start();
        try {
            gateway.type("update " + gateway.bundleId("io.isthmus.uplink"));
            // the new version probes afresh: three seconds of its decisions without a route change
            Lab.within(Duration.ofSeconds(3), () -> false);
        } finally {
            monitor.destroy();
            monitor.waitFor();
        }
        assertEquals("route events while the uplink bundle was updated", "", Files.readString(events).strip());
        assertEquals(before, lab.ipText("gw", "route", "show", "table", "main"));
        lab.fault("pull", "wired");
        assertTrue("the new version is in charge:\n" + gateway.transcript(),
                Lab.within(Duration.ofSeconds(2), () -> defaultVia("wwan0")) >= 0);
    }

    @Test
    public void badUplinkSettingsAreRejectedWithPointersAndTheRunningConfigurationStays() throws Exception {
        startSettled(DEFAULT_DOC, "eth0");
        gateway.terminate();
        gateway.awaitExit(Duration.ofSeconds(5));
        // IPv4: what the uplink settings govern (the kernel adds IPv6 link-local routes by itself as links settle)
        String kernel = lab.ipText("gw", "-4", "route", "show", "table", "all") + lab.ipText("gw", "rule");
        Path generations = work.resolve("state/config");
        List<String> committed = listing(generations);
        Map<String, String> bad = Map.of(
                "/ports/wwan0/cost", DEFAULT_DOC.replace("\"cost\": 100", "\"cost\": -5"),
                "/uplink/probe/downAfter", DEFAULT_DOC.replace("\"downAfter\": 3", "\"downAfter\": 0"),
                "/uplink/probe/intervalMs", DEFAULT_DOC.replace("\"intervalMs\": 500, \"timeoutMs\": 400",
                        "\"intervalMs\": 60, \"timeoutMs\": 40"),
                "/uplink/probe/targets/0", DEFAULT_DOC.replace("[\"203.0.113.10\"]", "[\"10.20.0.10\"]"));
        for (Map.Entry<String, String> e : bad.entrySet()) {
            try (GatewayProcess gw = start(e.getValue(), List.of())) {
                assertTrue(e.getKey() + " expected in: " + gw.transcript(), gw.awaitRejectedBoot(e.getKey(), READY));
                // the gateway runs the generation it had: routes and rules are (or return to) exactly what they were
                assertEquals("kernel changed by a rejected document (" + e.getKey() + ")", kernel, Lab.settle(kernel,
                        () -> lab.ipText("gw", "-4", "route", "show", "table", "all") + lab.ipText("gw", "rule"),
                        Duration.ofSeconds(30)));
            }
            assertEquals("generations changed by " + e.getKey(), committed, listing(generations));
        }
    }

    static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p) + ":" + p.toFile().length()).sorted().toList();
        }
    }
}
