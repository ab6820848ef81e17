package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * OPC UA across the gateway on the real kernel: a Milo server in the OT network and a Milo client in the DMZ,
 * PubSub-style multicast from OT to DMZ (TTL 1 and 4), and LDS-ME discovery over mDNS through the reflector.
 */
public class MulticastSystemIT {
    static final String PROFILE = "x86-industrial";
    static final Duration READY = Duration.ofSeconds(60);
    static final String OT_HOST = "10.20.0.10";
    static final String DMZ_HOST = "192.168.50.10";
    /** The wired ISP's side of the uplink (ispw down0). */
    static final String ISP_SIDE = "100.64.1.1";
    static final Path TOOLS = Distribution.root().resolve("itests/src/test/resources/lab-tools");
    static final String OPCUA_CONDUIT = "{\"from\": \"dmz\", \"to\": \"offline\", \"protocol\": \"tcp\", \"ports\": [4840]}";
    static final String MULTICAST = """
            "multicast": {"passThrough": [
              {"group": "224.0.2.14", "port": 4840, "from": "eth2", "to": ["eth1"]},
              {"group": "224.0.0.251", "port": 5353, "from": "offline", "to": ["dmz"]}]}""";
    /** mDNS reflection alone: routes no group, so it needs no multicast routing in the kernel. */
    static final String MDNS = """
            "multicast": {"passThrough": [
              {"group": "224.0.0.251", "port": 5353, "from": "offline", "to": ["dmz"]}]}""";
    static final String NO_MROUTE = "forwarding skipped: this kernel does not route IPv4 multicast (no CONFIG_IP_MROUTE)";

    /** {@link #MULTICAST} where the kernel routes multicast; else {@link #MDNS} (a routed group is refused there). */
    static String forThisKernel() {
        return Lab.multicastRouting() ? MULTICAST : MDNS;
    }

    @Rule
    public Timeout timeout = Timeout.seconds(240);

    static Lab lab;
    static Path state;
    Path work;
    GatewayProcess gateway;
    final List<Process> processes = new ArrayList<>();

    @BeforeClass
    public static void labUp() throws Exception {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        lab = Lab.up();
        state = Files.createTempDirectory("isthmus-multicast-state-");
    }

    @AfterClass
    public static void labDown() throws Exception {
        if (lab != null) {
            lab.close();
        }
        if (state != null) {
            FirewallSystemIT.delete(state);
        }
    }

    @Before
    public void setUp() throws IOException {
        work = Files.createTempDirectory("isthmus-multicast-");
    }

    @After
    public void tearDown() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (gateway != null) {
            gateway.close();
        }
        FirewallSystemIT.delete(work);
    }

    static String document(String conduits, String multicast) {
        return FirewallSystemIT.document("\"firewall\": {\"conduits\": [" + conduits + "]}"
                + (multicast.isEmpty() ? "" : ",\n" + multicast));
    }

    void startGateway(String json) throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        Path doc = work.resolve("network-" + System.nanoTime() + ".json");
        Files.writeString(doc, json);
        gateway = GatewayProcess.start(lab.inNamespace("gw"), PROFILE, Optional.of(doc), state,
                Map.of("ISTHMUS_JAVA_OPTS", "-Disthmus.resolv.conf=" + work.resolve("resolv.conf")));
        assertTrue(gateway.transcript(), gateway.awaitReady(READY).isPresent());
    }

    /** A child process whose output lines are pumped into a queue by a thread of its own. */
    record Spawned(Process process, BlockingQueue<String> lines) {
        Optional<String> awaitLine(String prefix, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (long left = timeout.toNanos(); left > 0; left = deadline - System.nanoTime()) {
                String line = lines.poll(left, TimeUnit.NANOSECONDS);
                if (line == null) {
                    return Optional.empty();
                }
                if (line.startsWith(prefix)) {
                    return Optional.of(line);
                }
            }
            return Optional.empty();
        }
    }

    Spawned spawn(String node, String... argv) throws IOException {
        List<String> cmd = new ArrayList<>(lab.inNamespace(node));
        cmd.addAll(List.of(argv));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        });
        pump.setDaemon(true);
        pump.start();
        return new Spawned(p, lines);
    }

    /** A plain JVM on the test class path inside a namespace. */
    Spawned java(String node, String mainClass, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), mainClass));
        argv.addAll(List.of(args));
        return spawn(node, argv.toArray(String[]::new));
    }

    /** Runs the Milo client in the DMZ against the OT server: its last line. */
    String opcUaRead() throws Exception {
        Spawned client = java("dmz", OpcUaLabClient.class.getName(), "opc.tcp://" + OT_HOST + ":4840");
        assertTrue(client.process().waitFor(15, TimeUnit.SECONDS));
        List<String> lines = new ArrayList<>();
        client.lines().drainTo(lines);
        return lines.stream().filter(l -> l.startsWith("value:") || l.startsWith("failed:") || l.startsWith("timed out"))
                .reduce((a, b) -> b).orElse(String.join("\n", lines));
    }

    @Test
    public void anOpcUaClientInTheDmzReadsFromTheOtServerThroughAConduitAndIsRefusedWithout() throws Exception {
        Spawned server = java("ot", OpcUaLabServer.class.getName(), OT_HOST, "4840");
        assertTrue("the OPC UA server is up", server.awaitLine("listening", Duration.ofSeconds(30)).isPresent());
        startGateway(document(OPCUA_CONDUIT, ""));
        String read = opcUaRead();
        assertTrue(read, read.startsWith("value: [http://opcfoundation.org/UA/, urn:isthmus:lab:plc"));
        startGateway(document("", ""));
        String refused = opcUaRead();
        assertFalse(refused, refused.startsWith("value:"));
    }

    /** Subscribes in the DMZ, publishes COUNT datagrams in OT: how many arrived. */
    int multicast(String group, int ttl, int count) throws Exception {
        return multicast("ot", OT_HOST, "dmz", DMZ_HOST, group, ttl, count);
    }

    /** Subscribes on node {@code to} (joined on its address toHost), publishes COUNT from {@code from}: how many arrived. */
    int multicast(String from, String fromHost, String to, String toHost, String group, int ttl, int count)
            throws Exception {
        Spawned sub = spawn(to, "python3", TOOLS.resolve("multicast.py").toString(), "receive", group, "4840",
                toHost, "3");
        assertTrue(sub.awaitLine("joined", Duration.ofSeconds(5)).isPresent());
        Lab.Result sent = lab.exec(from, "python3", TOOLS.resolve("multicast.py").toString(), "send", group, "4840",
                fromHost, String.valueOf(ttl), String.valueOf(count));
        assertTrue(sent.err(), sent.ok());
        String received = sub.awaitLine("", Duration.ofSeconds(6)).orElse("-1");
        return Integer.parseInt(received.strip());
    }

    /**
     * The gateway's firewall table (its forward rules and TTL fix-ups are the multicast flows), counters left out.
     * The kernel's multicast cache is not compared: smcroute adds and expires its entries as traffic comes and goes.
     */
    String multicastState() throws Exception {
        return lab.exec("gw", "nft", "-j", "list", "table", "inet", "isthmus").out()
                .replaceAll("\"packets\": \\d+, \"bytes\": \\d+", "");
    }

    @Test
    public void aPassThroughAcrossTheUplinkOfflineBoundaryIsRefusedAndNoDatagramCrossesIt() throws Exception {
        assumeTrue(NO_MROUTE, Lab.multicastRouting());
        String device = "gw-mcast";
        String management = ",\n\"management\": {\"brokers\": [\"" + MqttLab.BROKER + "\"], \"deviceId\": \""
                + device + "\", \"keepAliveSeconds\": 5}";
        try (MqttLab mqtt = MqttLab.attach(lab)) {
            mqtt.startBroker();
            startGateway(document("", MULTICAST + management));
            assertTrue(gateway.transcript(), gateway.awaitOutput("smcroute: started", Duration.ofSeconds(5)));
            try (MqttTestClient client = MqttTestClient.v5("it-" + java.util.UUID.randomUUID(), true)) {
                assertTrue("the management agent answers:\n" + gateway.transcript(), Lab.within(Duration.ofSeconds(30),
                        () -> answers(client, device)) >= 0);
                assertEquals("OT to DMZ, as configured", 20, multicast("224.0.2.14", 4, 20));
                String before = multicastState();
                // the same boundary named by port, by role and by zone, in both directions
                List<String> crossing = List.of(
                        "{\"group\": \"224.0.2.14\", \"port\": 4840, \"from\": \"eth0\", \"to\": [\"eth2\"]}",
                        "{\"group\": \"224.0.2.14\", \"port\": 4840, \"from\": \"uplink\", \"to\": [\"offline\"]}",
                        "{\"group\": \"224.0.2.14\", \"port\": 4840, \"from\": \"plc\", \"to\": [\"eth1\", \"uplink\"]}");
                for (int i = 0; i < crossing.size(); i++) {
                    String bad = FirewallSystemIT.document("\"firewall\": {\"zones\": {\"plc\": {\"ports\": [\"eth2\"]}}},"
                            + "\n\"multicast\": {\"passThrough\": [" + crossing.get(i) + "]}" + management);
                    JsonNode reply = client.request(device, "config.put", Map.of("document",
                            MqttTestClient.JSON.readValue(bad, Map.class)), Duration.ofSeconds(10));
                    assertEquals(reply.toString(), 400, reply.path("status").asInt());
                    String pointer = reply.path("body").path("errors").path(0).path("pointer").asText();
                    assertEquals(reply.toString(), i == 2 ? "/multicast/passThrough/0/to/1"
                            : "/multicast/passThrough/0/to/0", pointer);
                }
                assertEquals("the refused documents changed nothing", before, multicastState());
                assertEquals("from the ISP side into the OT network", 0,
                        multicast("ispw", ISP_SIDE, "ot", OT_HOST, "224.0.2.14", 4, 20));
                assertEquals("from the OT network out through the uplink", 0,
                        multicast("ot", OT_HOST, "ispw", ISP_SIDE, "224.0.2.14", 4, 20));
                assertEquals("OT to DMZ still flows", 20, multicast("224.0.2.14", 1, 20));
            }
        }
    }

    /** Whether the gateway's management agent answers a status request within 2 s. */
    static boolean answers(MqttTestClient client, String device) {
        try {
            return client.request(device, "status", Map.of(), Duration.ofSeconds(2)).path("status").asInt() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    public void opcUaPubSubMulticastReachesTheDmzWithTtl1And4AnUnconfiguredGroupDoesNot() throws Exception {
        assumeTrue(NO_MROUTE, Lab.multicastRouting());
        startGateway(document("", MULTICAST));
        assertTrue(gateway.transcript(), gateway.awaitOutput("smcroute: started", Duration.ofSeconds(5)));
        Lab.within(Duration.ofMillis(500), () -> false); // smcrouted installs its routes after it starts
        assertEquals("TTL 1 (the Linux and Java default) with the TTL fix-up", 20, multicast("224.0.2.14", 1, 20));
        assertEquals("TTL 4", 20, multicast("224.0.2.14", 4, 20));
        assertEquals("an unconfigured group is not forwarded", 0, multicast("224.0.2.15", 4, 20));
        String counters = lab.exec("gw", "nft", "list", "chain", "inet", "isthmus", "forward").out();
        assertTrue(counters, counters.contains("packets 40"));
    }

    @Test
    public void anOpcUaServiceAnnouncedInOtIsFoundInTheDmzAnUnrelatedTypeIsNot() throws Exception {
        startGateway(document("", MDNS));
        assertTrue(gateway.transcript(), gateway.awaitOutput("mdns-reflector: started", Duration.ofSeconds(5)));
        // the OT device: its own avahi-daemon in a private mount namespace (so its /run/avahi-daemon is its own)
        Path services = Files.createDirectories(work.resolve("services"));
        Files.writeString(services.resolve("plc.service"), """
                <?xml version="1.0" standalone='no'?>
                <!DOCTYPE service-group SYSTEM "avahi-service.dtd">
                <service-group><name>PLC1</name>
                <service><type>_opcua-tcp._tcp</type><port>4840</port></service>
                <service><type>_http._tcp</type><port>80</port></service>
                </service-group>
                """);
        Path conf = work.resolve("plc-avahi.conf");
        Files.writeString(conf, "[server]\nuse-ipv4=yes\nuse-ipv6=no\nhost-name=plc1\nenable-dbus=no\n");
        Spawned device = spawn("ot", "unshare", "-m", "sh", "-c", "mount -t tmpfs none /run/avahi-daemon && mount "
                + "--bind " + services + " /etc/avahi/services && exec avahi-daemon -f " + conf
                + " --no-drop-root --no-rlimits --no-chroot");
        assertTrue("the OT device announces", device.awaitLine("Service \"PLC1\"", Duration.ofSeconds(10))
                .isPresent());
        Lab.Result opcua = lab.exec("dmz", "python3", TOOLS.resolve("query.py").toString(), "_opcua-tcp._tcp",
                DMZ_HOST, "6");
        assertTrue(opcua.out() + opcua.err(), opcua.ok());
        Lab.Result http = lab.exec("dmz", "python3", TOOLS.resolve("query.py").toString(), "_http._tcp", DMZ_HOST, "3");
        assertNotEquals("an unrelated service type is not reflected: " + http.out(), 0, http.exit());
    }

    /**
     * On a kernel without multicast routing (this test runs only there) a routable group cannot be forwarded:
     * smcrouted would start, log a parse error and forward nothing while the document committed. The boot document
     * is rolled back saying what the kernel lacks, no smcrouted runs, and the retries (every second) are not logged
     * each time.
     */
    @Test
    public void aKernelWithoutMulticastRoutingRollsBackARoutableGroupAndSaysWhy() throws Exception {
        assumeTrue("runs only on a kernel without CONFIG_IP_MROUTE", !Lab.multicastRouting());
        startGateway(document("", MULTICAST));
        assertTrue(gateway.transcript(), gateway.awaitOutput("boot document rolled back: applier "
                + "io.isthmus.multicast.MulticastPassThrough failed: multicast: smcroute: this kernel does not route "
                + "IPv4 multicast (built without CONFIG_IP_MROUTE: no /proc/net/ip_mr_vif)", Duration.ofSeconds(5)));
        Lab.within(Duration.ofMillis(2500), () -> false); // two retries of the multicast worker
        assertEquals(gateway.transcript(), 1, gateway.stdout().stream()
                .filter(l -> l.contains("multicast: routes [")).count());
        assertFalse(gateway.transcript(), gateway.stdout().stream().anyMatch(l -> l.contains("smcroute: started")));
        assertEquals("no smcrouted in the gateway's namespace", 1, lab.exec("gw", "pgrep", "-x", "smcrouted").exit());
    }
}
