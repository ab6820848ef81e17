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
 * Ethernet ports and multi-NIC routing on the real kernel: the x86-industrial distribution runs inside the
 * lab's gw namespace and is given documents; assertions read ip -j inside gw and send real traffic between
 * the lab's namespaces.
 */
public class RoutingSystemIT {
    static final String PROFILE = "x86-industrial";
    static final Duration READY = Duration.ofSeconds(60);
    static final Duration REPAIR = Duration.ofSeconds(2);
    static final String INTERNET = "203.0.113.10";

    @Rule
    public Timeout timeout = Timeout.seconds(180);

    static Lab lab;
    /** One gateway installation across the tests, reconfigured by each: as in the field. */
    static Path state;
    Path work;
    GatewayProcess gateway;

    @BeforeClass
    public static void labUp() throws Exception {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        lab = Lab.up("--ot-dhcp");
        state = Files.createTempDirectory("isthmus-routing-state-");
    }

    @AfterClass
    public static void labDown() throws Exception {
        if (lab != null) {
            lab.close();
        }
        if (state != null) {
            try (Stream<Path> s = Files.walk(state)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Before
    public void setUp() throws IOException {
        work = Files.createTempDirectory("isthmus-routing-");
    }

    @After
    public void tearDown() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        try (Stream<Path> s = Files.walk(work)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * The lab document: eth0 DHCP (cost 0), wwan0 driven as ethernet with a static address (cost 100); the firewall
     * lets the DMZ out to the uplinks and nothing in.
     */
    static String document(String eth1Extra, String eth2Ipv4, String routes) {
        return """
                {"ports": {
                  "eth0":  {"role": "uplink", "cost": 0, "ipv4": {"method": "dhcp"}},
                  "wwan0": {"kind": "ethernet", "role": "uplink", "cost": 100,
                            "ipv4": {"method": "static", "address": "100.65.1.10/24", "gateway": "100.65.1.1"}},
                  "eth1":  {"role": "dmz", "ipv4": {"method": "static", "address": "192.168.50.1/24"}%s},
                  "eth2":  {"role": "offline", "ipv4": %s}
                 },
                 "routes": [%s],
                 "firewall": {"conduits": [{"from": "dmz", "to": "uplink", "protocol": "any"}]}}
                """.formatted(eth1Extra, eth2Ipv4, routes);
    }

    static final String STATIC_OT = "{\"method\": \"static\", \"address\": \"10.20.0.1/24\"}";
    static final String DEFAULT_DOC = document("", STATIC_OT, "");

    Path resolvConf() {
        return work.resolve("resolv.conf");
    }

    GatewayProcess start(String documentJson, Path state) throws Exception {
        Path doc = work.resolve("network-" + System.nanoTime() + ".json");
        Files.writeString(doc, documentJson);
        return GatewayProcess.start(lab.inNamespace("gw"), PROFILE, Optional.of(doc), state,
                Map.of("ISTHMUS_JAVA_OPTS", "-Disthmus.resolv.conf=" + resolvConf()));
    }

    /** Starts the gateway and waits for ready and for the DHCP uplink to hold the default route. */
    void startSettled(String documentJson) throws Exception {
        gateway = start(documentJson, state);
        assertTrue(gateway.transcript(), gateway.awaitReady(READY).isPresent());
        assertTrue("eth0 lease and default route:\n" + gateway.transcript(),
                Lab.within(Duration.ofSeconds(20), () -> lab.defaultDevice("gw").equals(Optional.of("eth0"))) >= 0);
    }

    String routeGetDevice(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("route", "get"));
        a.addAll(List.of(args));
        JsonNode r = lab.ip("gw", a.toArray(String[]::new));
        return r.path(0).path("dev").asText("");
    }

    List<String> ipv4Of(String device) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode l : lab.ip("gw", "-4", "addr", "show", "dev", device)) {
            for (JsonNode a : l.path("addr_info")) {
                out.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
            }
        }
        return out;
    }

    @Test
    public void staticAndDhcpAddressingMtuMacAndDns() throws Exception {
        startSettled(document(", \"mtu\": 1400, \"mac\": \"02:15:00:00:aa:30\"", STATIC_OT, ""));
        assertEquals(List.of("100.64.1.10/24"), ipv4Of("eth0"));
        assertEquals(List.of("100.65.1.10/24"), ipv4Of("wwan0"));
        assertEquals(List.of("192.168.50.1/24"), ipv4Of("eth1"));
        assertEquals(List.of("10.20.0.1/24"), ipv4Of("eth2"));
        JsonNode eth1 = lab.ip("gw", "link", "show", "dev", "eth1").path(0);
        assertEquals(1400, eth1.path("mtu").asInt());
        assertEquals("02:15:00:00:aa:30", eth1.path("address").asText());
        assertTrue("DNS from the active uplink's lease", Lab.within(REPAIR, () -> {
            try {
                return Files.exists(resolvConf()) && Files.readString(resolvConf()).contains("nameserver 203.0.113.53");
            } catch (IOException e) {
                return false;
            }
        }) >= 0);
        // the DMZ host still reaches the gateway and, through it, the internet after the MAC change
        assertTrue(lab.ping("dmz", "192.168.50.1"));
        assertTrue(lab.ping("dmz", INTERNET));
    }

    @Test
    public void trafficSourcedFromEachUplinkLeavesThroughIt() throws Exception {
        startSettled(DEFAULT_DOC);
        assertEquals("eth0", routeGetDevice(INTERNET, "from", "100.64.1.10"));
        assertEquals("wwan0", routeGetDevice(INTERNET, "from", "100.65.1.10"));
        long cellBefore = rxPackets("ispc", "down0");
        long wiredBefore = rxPackets("ispw", "down0");
        assertTrue(lab.exec("gw", "ping", "-c", "3", "-i", "0.2", "-W", "1", "-I", "100.65.1.10", INTERNET).ok());
        assertTrue("pings sourced from wwan0's address went to the cellular ISP",
                rxPackets("ispc", "down0") - cellBefore >= 3);
        assertTrue("and not to the wired one", rxPackets("ispw", "down0") - wiredBefore < 3);
    }

    long rxPackets(String node, String dev) throws Exception {
        return lab.ip(node, "-s", "link", "show", "dev", dev).path(0).path("stats64").path("rx").path("packets")
                .asLong();
    }

    @Test
    public void dmzReachesTheGatewayAndTheInternet() throws Exception {
        startSettled(DEFAULT_DOC);
        assertTrue(lab.ping("dmz", "192.168.50.1"));
        assertTrue(lab.ping("dmz", INTERNET));
        // the ISP routes the DMZ network to the gateway, but no conduit lets the internet in (secure default)
        assertFalse("the internet does not reach the DMZ host without a conduit", lab.ping("inet", "192.168.50.10"));
    }

    @Test
    public void offlineNetworkIsAnIslandEvenWhenTheInternetTriesToRouteToIt() throws Exception {
        startSettled(DEFAULT_DOC);
        // the outside knows a way to the OT network through the gateway: only the gateway can stop it
        lab.exec("inet", "ip", "route", "replace", "10.20.0.0/24", "via", "172.31.1.2");
        lab.exec("ispw", "ip", "route", "replace", "10.20.0.0/24", "via", "100.64.1.10");
        try {
            assertTrue("the OT host reaches the gateway", lab.ping("ot", "10.20.0.1"));
            assertFalse("the OT host cannot reach the internet", lab.ping("ot", INTERNET));
            assertFalse("the internet cannot reach the OT host", lab.ping("inet", "10.20.0.10"));
            assertFalse("the wired ISP cannot reach the OT host", lab.ping("ispw", "10.20.0.10"));
            Lab.Result route = lab.exec("gw", "ip", "route", "get", INTERNET, "from", "10.20.0.10", "iif", "eth2");
            assertFalse("no route from the OT network to the internet: " + route, route.ok());
            assertTrue(route.err(), route.err().contains("No route to host") || route.err().contains("unreachable"));
            assertNoDefaultRouteOn("eth2");
        } finally {
            lab.exec("inet", "ip", "route", "del", "10.20.0.0/24");
            lab.exec("ispw", "ip", "route", "del", "10.20.0.0/24");
        }
    }

    @Test
    public void offlinePortWithDhcpIgnoresTheRouterItsServerOffers() throws Exception {
        // the lab's OT network runs a DHCP server that offers router 10.20.0.254
        startSettled(document("", "{\"method\": \"dhcp\"}", ""));
        assertTrue("a lease on the offline port", Lab.within(Duration.ofSeconds(20), () -> {
            try {
                return ipv4Of("eth2").stream().anyMatch(a -> a.startsWith("10.20.0.1") && !a.equals("10.20.0.1/24"));
            } catch (Exception e) {
                return false;
            }
        }) >= 0);
        assertNoDefaultRouteOn("eth2");
        assertFalse(lab.ping("ot", INTERNET));
        // a router advertisement or a DHCP client of someone else adds one anyway: removed within 2 s
        lab.exec("gw", "ip", "route", "add", "default", "via", "10.20.0.254", "dev", "eth2", "metric", "5",
                "proto", "dhcp");
        long ms = Lab.within(REPAIR, () -> noDefaultRouteOn("eth2"));
        assertTrue("foreign default route on the offline port removed within 2 s", ms >= 0);
        System.out.println("[routing] foreign default route on offline port removed after " + ms + " ms");
    }

    void assertNoDefaultRouteOn(String dev) throws Exception {
        assertTrue(lab.ipText("gw", "route", "show", "table", "all"), noDefaultRouteOn(dev));
    }

    boolean noDefaultRouteOn(String dev) {
        try {
            for (JsonNode r : lab.ip("gw", "route", "show", "table", "all")) {
                if ("default".equals(r.path("dst").asText()) && dev.equals(r.path("dev").asText())) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    public void lowerMetricWinsAndTheWorseRouteTakesOverWhenItsPortGoesDown() throws Exception {
        startSettled(document("", STATIC_OT, """
                {"destination": "192.168.20.0/24", "gateway": "192.168.50.254", "interface": "eth1", "metric": 100},
                {"destination": "192.168.20.0/24", "gateway": "10.20.0.254", "metric": 200}"""));
        assertEquals("eth1", routeGetDevice("192.168.20.5"));
        lab.exec("dmz", "ip", "link", "set", "eth0", "down"); // the DMZ switch dies: eth1 loses carrier
        try {
            long ms = Lab.within(REPAIR, () -> {
                try {
                    return routeGetDevice("192.168.20.5").equals("eth2");
                } catch (Exception e) {
                    return false;
                }
            });
            assertTrue("the metric-200 route via eth2 took over", ms >= 0);
            System.out.println("[routing] worse static route took over after " + ms + " ms");
        } finally {
            lab.exec("dmz", "ip", "link", "set", "eth0", "up");
            lab.exec("dmz", "ip", "route", "replace", "default", "via", "192.168.50.1");
        }
        assertTrue(Lab.within(REPAIR, () -> {
            try {
                return routeGetDevice("192.168.20.5").equals("eth1");
            } catch (Exception e) {
                return false;
            }
        }) >= 0);
    }

    @Test
    public void driftIsRepairedWithinTwoSeconds() throws Exception {
        startSettled(DEFAULT_DOC);
        lab.exec("gw", "ip", "route", "del", "default", "table", "main");
        lab.exec("gw", "ip", "rule", "del", "iif", "eth2");
        lab.exec("gw", "ip", "address", "del", "192.168.50.1/24", "dev", "eth1");
        long ms = Lab.within(REPAIR, () -> {
            try {
                return lab.defaultDevice("gw").equals(Optional.of("eth0")) && ipv4Of("eth1").contains("192.168.50.1/24")
                        && lab.ipText("gw", "rule").contains("\"iif\":\"eth2\"");
            } catch (Exception e) {
                return false;
            }
        });
        assertTrue("default route, rule and address restored within 2 s:\n" + gateway.transcript(), ms >= 0);
        System.out.println("[routing] drift (route, rule, address) repaired after " + ms + " ms");
        assertTrue(lab.ping("dmz", INTERNET));
    }

    @Test
    public void reapplyingTheSameDocumentMakesNoKernelWrites() throws Exception {
        startSettled(DEFAULT_DOC);
        Lab.within(Duration.ofMillis(1500), () -> false); // let one drift cycle pass: the state is settled
        gateway.terminate();
        gateway.awaitExit(Duration.ofSeconds(5));
        String before = kernelState();
        Path events = work.resolve("monitor.txt");
        Process monitor = new ProcessBuilder("ip", "-n", lab.ns("gw"), "-o", "monitor", "address", "route", "rule")
                .redirectErrorStream(true).redirectOutput(events.toFile()).start();
        try {
            GatewayProcess again = start(DEFAULT_DOC, state);
            gateway = again;
            assertTrue(again.transcript(), again.awaitReady(READY).isPresent());
            // two drift cycles and the DHCP client's new lease for the same address
            assertTrue(again.awaitOutput("dhcp eth0: lease", Duration.ofSeconds(10)));
            Lab.within(Duration.ofMillis(2500), () -> false);
        } finally {
            monitor.destroy();
            monitor.waitFor();
        }
        assertEquals("kernel events during a no-op re-apply", "", Files.readString(events).strip());
        assertFalse(gateway.transcript(), gateway.stdout().stream().anyMatch(l -> l.contains("kernel change(s)")));
        assertEquals(before, kernelState());
    }

    String kernelState() throws Exception {
        return lab.ipText("gw", "link") + lab.ipText("gw", "addr") + lab.ipText("gw", "route", "show", "table", "all")
                + lab.ipText("gw", "rule");
    }

    @Test
    public void badDocumentsAreRejectedWithPointersAndTheKernelIsUntouched() throws Exception {
        startSettled(DEFAULT_DOC);
        gateway.terminate();
        gateway.awaitExit(Duration.ofSeconds(5));
        String before = kernelState();
        Map<String, String> bad = Map.of(
                "/ports/wwan0/ipv4", DEFAULT_DOC.replace(", \"gateway\": \"100.65.1.1\"", ""),
                "/ports/eth1/ipv4/address", DEFAULT_DOC.replace("192.168.50.1/24", "192.168.50.1/33"),
                "/ports/eth2/ipv4/address", DEFAULT_DOC.replace("10.20.0.1/24", "192.168.50.99/24"),
                "/ports/eth9/kind", DEFAULT_DOC.replace("\"eth2\":", "\"eth9\": {\"kind\": \"token-ring\", \"role\": \"lan\"}, \"eth2\":"),
                "/routes/0/interface", document("", STATIC_OT,
                        "{\"destination\": \"192.168.20.0/24\", \"gateway\": \"192.168.50.254\", \"interface\": \"eth7\"}"));
        for (Map.Entry<String, String> e : bad.entrySet()) {
            try (GatewayProcess gw = start(e.getValue(), state)) {
                assertTrue(e.getKey() + " expected in: " + gw.transcript(), gw.awaitRejectedBoot(e.getKey(), READY));
                // the gateway runs the generation it had: the kernel is (or returns to) exactly what it was
                assertEquals("kernel changed by a rejected document (" + e.getKey() + ")", before,
                        Lab.settle(before, this::kernelState, Duration.ofSeconds(30)));
            }
        }
    }

    @Test
    public void aDefaultRouteInAllButNameThroughTheOfflinePortIsRefusedAndTrafficStillLeavesByTheUplink()
            throws Exception {
        String device = "gw-routing";
        String managed = DEFAULT_DOC.strip().replaceAll("}$", ",\n \"management\": {\"brokers\": [\"" + MqttLab.BROKER
                + "\"], \"deviceId\": \"" + device + "\", \"keepAliveSeconds\": 5}}");
        try (MqttLab mqtt = MqttLab.attach(lab)) {
            mqtt.startBroker();
            startSettled(managed);
            try (MqttTestClient client = MqttTestClient.v5("it-" + java.util.UUID.randomUUID(), true)) {
                assertTrue("the management agent answers:\n" + gateway.transcript(), Lab.within(
                        Duration.ofSeconds(30), () -> MulticastSystemIT.answers(client, device)) >= 0);
                Lab.within(Duration.ofMillis(1500), () -> false); // settled: one drift cycle
                String before = kernelState();
                String halves = managed.replace("\"routes\": []", "\"routes\": ["
                        + "{\"destination\": \"0.0.0.0/1\", \"gateway\": \"10.20.0.254\", \"interface\": \"eth2\"}, "
                        + "{\"destination\": \"128.0.0.0/1\", \"gateway\": \"10.20.0.254\"}]");
                JsonNode reply = client.request(device, "config.put", Map.of("document",
                        MqttTestClient.JSON.readValue(halves, Map.class)), Duration.ofSeconds(10));
                assertEquals(reply.toString(), 400, reply.path("status").asInt());
                List<String> pointers = new ArrayList<>();
                reply.path("body").path("errors").forEach(e -> pointers.add(e.path("pointer").asText()));
                assertEquals(reply.toString(), List.of("/routes/0/destination", "/routes/1/destination"), pointers);
                assertEquals("kernel changed by the refused document", before, kernelState());
                // route lookups only: nothing is sent to 8.8.8.8
                assertEquals("the gateway's own traffic", "eth0", routeGetDevice("8.8.8.8"));
                assertEquals("the DMZ's traffic", "eth0", routeGetDevice("8.8.8.8", "from", "192.168.50.10", "iif",
                        "eth1"));
            }
        }
    }

    @Test
    public void updatingTheEthernetAndRoutingBundlesLeavesTheKernelAloneAndTheNewVersionsTakeOver() throws Exception {
        Path doc = work.resolve("network.json");
        Files.writeString(doc, DEFAULT_DOC);
        gateway = GatewayProcess.start(lab.inNamespace("gw"), PROFILE, Optional.of(doc), state,
                Map.of("ISTHMUS_JAVA_OPTS", "-Disthmus.resolv.conf=" + resolvConf()), List.of("--shell"));
        assertTrue(gateway.transcript(), gateway.awaitReady(READY).isPresent());
        assertTrue(Lab.within(Duration.ofSeconds(20), () -> lab.defaultDevice("gw").equals(Optional.of("eth0"))) >= 0);
        Lab.within(Duration.ofMillis(1500), () -> false); // settled
        String before = kernelState();
        Path events = work.resolve("monitor.txt");
        Process monitor = new ProcessBuilder("ip", "-n", lab.ns("gw"), "-o", "monitor", "address", "route", "rule")
                .redirectErrorStream(true).redirectOutput(events.toFile()).start();
        try {
            for (String bsn : List.of("io.isthmus.net.ethernet", "io.isthmus.routing")) {
                gateway.type("update " + gateway.bundleId(bsn));
            }
            // the new versions run their drift check: two cycles without a single kernel write
            Lab.within(Duration.ofMillis(2500), () -> false);
        } finally {
            monitor.destroy();
            monitor.waitFor();
        }
        assertEquals("kernel events while updating the bundles", "", Files.readString(events).strip());
        assertEquals(before, kernelState());
        // and the new versions are in charge: drift is still repaired
        lab.exec("gw", "ip", "route", "del", "default", "table", "main");
        assertTrue("the updated routing bundle repairs the default route:\n" + gateway.transcript(),
                Lab.within(REPAIR, () -> lab.defaultDevice("gw").equals(Optional.of("eth0"))) >= 0);
    }
}
