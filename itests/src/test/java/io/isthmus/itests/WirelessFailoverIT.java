package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * Failover across the three kinds of uplink with their default costs (wired 0, WiFi 10, cellular 100), end to
 * end in the lab: the arm-compact gateway drives eth0 as Ethernet, wlan0 through a real wpa_supplicant
 * ({@code -D wired}, an open network on the lab's access-point veth) and wwan0 through ModemManager. ModemManager
 * is mocked (ModemManagerMock, python3-dbusmock on a private bus: no modem exists here); its bearer's settings
 * land on the lab's real wwan0 veth. Wired down → WiFi before cellular; WiFi down too → cellular; recovery in
 * order; and a WiFi driver update while WiFi carries the traffic moves no route although cellular is healthy.
 */
public class WirelessFailoverIT {
    static final String PROFILE = "arm-compact";
    static final Duration READY = Duration.ofSeconds(30);
    /** Carrier loss switches at once (measured ~60 ms); a recovery waits for upAfter 5 × 500 ms plus the dwell. */
    static final Duration SWITCH = Duration.ofSeconds(3);
    static final Duration RECOVERY = Duration.ofSeconds(10);
    static final String INTERNET = "203.0.113.10";

    @Rule
    public Timeout timeout = Timeout.seconds(150);

    static Lab lab;
    Path work;
    ModemManagerMock mm;
    GatewayProcess gateway;

    @BeforeClass
    public static void labUp() throws Exception {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        lab = Lab.up("--wifi");
    }

    @AfterClass
    public static void labDown() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    @Before
    public void setUp() throws Exception {
        work = Files.createTempDirectory("isthmus-wl-");
    }

    @After
    public void tearDown() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (mm != null) {
            mm.close();
        }
        for (String uplink : List.of("wired", "wifi")) {
            lab.fault("restore", uplink);
        }
        try (Stream<Path> s = Files.walk(work)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** No costs in the document: the kinds' defaults decide (0, 10, 100). */
    static final String DOCUMENT = """
            {"ports": {
              "eth0":  {"kind": "ethernet", "role": "uplink", "ipv4": {"method": "dhcp"}},
              "wlan0": {"kind": "wifi", "role": "uplink", "ipv4": {"method": "dhcp"}, "wifi": {"ssid": "lab"}},
              "wwan0": {"kind": "cellular", "role": "uplink", "cellular": {"apn": "internet"}},
              "eth1":  {"kind": "ethernet", "role": "dmz", "ipv4": {"method": "static", "address": "192.168.50.1/24"}}
             },
             "uplink": {"probe": {"targets": ["203.0.113.10"], "intervalMs": 500, "timeoutMs": 400,
                                  "downAfter": 3, "upAfter": 5}, "minDwellMs": 1000},
             "firewall": {"conduits": [{"from": "dmz", "to": "uplink", "protocol": "any"}]}}
            """;

    void startSettled() throws Exception {
        mm = ModemManagerMock.start(Map.of());
        Path doc = work.resolve("network.json");
        Files.writeString(doc, DOCUMENT);
        Files.createDirectories(work.resolve("wpa"));
        String options = "-Disthmus.resolv.conf=" + work.resolve("resolv.conf")
                + " -Disthmus.wifi.supplicantDriver=wired -Disthmus.wifi.ctrlDir=" + work.resolve("wpa")
                + " -Disthmus.cellular.bus=" + mm.address;
        gateway = GatewayProcess.start(lab.inNamespace("gw"), PROFILE, Optional.of(doc), work.resolve("state"),
                Map.of("ISTHMUS_JAVA_OPTS", options), List.of("--shell"));
        assertTrue(gateway.transcript(), gateway.awaitReady(READY).isPresent());
        assertTrue("the uplink manager chose eth0 (cost 0):\n" + gateway.transcript(),
                gateway.awaitOutput("-> eth0 (", Duration.ofSeconds(20)));
        assertTrue(Lab.within(Duration.ofSeconds(5), () -> defaultVia("eth0")) >= 0);
        // the backups are ready too: WiFi associated with its DHCP address, cellular with its bearer
        assertTrue("wlan0 and wwan0 have addresses:\n" + gateway.transcript(), Lab.within(Duration.ofSeconds(20),
                () -> hasAddress("wlan0", lab.get("GW_WIFI_ADDR")) && hasAddress("wwan0", "100.65.1.10")) >= 0);
    }

    boolean defaultVia(String dev) {
        return lab.defaultDevice("gw").equals(Optional.of(dev));
    }

    boolean hasAddress(String dev, String address) {
        try {
            return lab.ipText("gw", "-4", "addr", "show", "dev", dev).contains("\"local\":\"" + address + "\"");
        } catch (Exception e) {
            return false;
        }
    }

    /** Waits for the default route to move to {@code dev}; the DMZ reaches the internet through it. */
    void expectSwitch(String why, String dev, Duration within) throws Exception {
        long ms = Lab.within(within, () -> defaultVia(dev));
        assertTrue(why + ": the default route moves to " + dev + " within " + within.toMillis() + " ms; it is on "
                + lab.defaultDevice("gw") + "\n" + gateway.transcript(), ms >= 0);
        System.out.printf("[itests] %s: default route on %s after %d ms%n", why, dev, ms);
        assertTrue(why + ": the DMZ reaches the internet through " + dev,
                Lab.within(Duration.ofSeconds(3), () -> {
                    try {
                        return lab.ping("dmz", INTERNET);
                    } catch (Exception e) {
                        return false;
                    }
                }) >= 0);
    }

    /**
     * One gateway through the whole sequence: each step also proves the next one's precondition (cellular was
     * healthy before the WiFi driver is stopped, so a driver counted as down would move the route there).
     */
    @Test
    public void wiredThenWifiThenCellularBackInOrderAndAWifiDriverStopMovesNoRoute() throws Exception {
        startSettled();
        lab.fault("pull", "wired");
        expectSwitch("wired pulled", "wlan0", SWITCH);
        lab.fault("pull", "wifi");
        expectSwitch("WiFi pulled too", "wwan0", SWITCH);
        lab.fault("restore", "wifi");
        expectSwitch("WiFi back", "wlan0", RECOVERY);

        // the WiFi driver stops (as for an update) while WiFi carries the traffic and cellular is healthy
        String before = lab.ipText("gw", "route", "show", "table", "main");
        Path events = work.resolve("monitor.txt");
        Process monitor = new ProcessBuilder("ip", "-n", lab.ns("gw"), "-o", "monitor", "route")
                .redirectErrorStream(true).redirectOutput(events.toFile()).start();
        String id = gateway.bundleId("io.isthmus.net.wifi");
        try {
            gateway.type("stop " + id);
            // the uplink manager and routing decide every few hundred ms: three seconds of decisions
            Lab.within(Duration.ofSeconds(3), () -> false);
        } finally {
            monitor.destroy();
            monitor.waitFor();
        }
        assertEquals("route events while the WiFi driver was stopped\n" + gateway.transcript(), "",
                Files.readString(events).strip());
        assertEquals(before, lab.ipText("gw", "route", "show", "table", "main"));
        gateway.type("start " + id);

        lab.fault("restore", "wired");
        expectSwitch("wired back", "eth0", RECOVERY);
        lab.fault("pull", "wifi");
        lab.fault("pull", "wired");
        expectSwitch("wired and the WiFi of the restarted driver pulled", "wwan0", SWITCH);
    }
}
