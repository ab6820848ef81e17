package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * Time with the real daemons: the gateway's chronyd (run by the linux bundle) syncs from a chronyd in the lab's
 * internet ({@code local stratum 8}, {@code allow}) and serves the OT network, which asks with {@code chronyd -Q}
 * (queries once and prints the offset, never sets anything). SAFETY: the machine's clock is shared and not
 * namespaced; every chronyd here runs with -x or -Q, and the test asserts that the gateway's has -x.
 */
public class TimeSystemIT {
    static final String NTP = "203.0.113.123";
    static final String OT_GW = ServicesSystemIT.OT_GW;
    static final String DMZ_GW = ServicesSystemIT.DMZ_GW;

    @ClassRule
    public static final BrokerLab BROKER = new BrokerLab();
    @Rule
    public final ManagedGateway run = new ManagedGateway(BROKER, "isthmus-time-");
    @Rule
    public Timeout timeout = Timeout.seconds(300);

    Lab lab;
    Process ntpServer;
    MqttTestClient client;

    @Before
    public void setUp() throws Exception {
        lab = BROKER.lab();
        Path dir = run.work().resolve("lab-ntp");
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        lab.exec("inet", "ip", "addr", "add", NTP + "/32", "dev", "lo");
        // the lab's NTP server: its own clock as a stratum-8 source, -x: it never touches the clock
        ntpServer = new ProcessBuilder(List.of("ip", "netns", "exec", lab.ns("inet"), "chronyd", "-d", "-x", "-u",
                "root", "local stratum 8", "allow", "cmdport 0", "bindaddress " + NTP, "bindcmdaddress "
                        + dir.resolve("chronyd.sock"), "pidfile " + dir.resolve("chronyd.pid"))).redirectErrorStream(true)
                .redirectOutput(run.work().resolve("lab-ntp.log").toFile()).start();
    }

    @After
    public void tearDown() throws Exception {
        if (ntpServer != null) {
            ntpServer.destroy();
            ntpServer.waitFor(5, TimeUnit.SECONDS);
        }
        lab.exec("inet", "ip", "addr", "del", NTP + "/32", "dev", "lo");
    }

    static String services() {
        return """
                {"time": {"servers": ["%s"], "serve": ["eth2"]}}""".formatted(NTP);
    }

    GatewayProcess startSettled(String document) throws Exception {
        GatewayProcess g = run.startReady(document);
        assertTrue("default route via eth0:\n" + g.transcript(), Lab.within(Duration.ofSeconds(30),
                () -> lab.defaultDevice("gw").equals(Optional.of("eth0"))) >= 0);
        return g;
    }

    JsonNode call(String command, Map<String, Object> request) throws Exception {
        if (client == null) {
            client = run.closeAtEnd(MqttTestClient.v5("it-" + UUID.randomUUID(), true));
        }
        return client.request(ManagementSystemIT.DEVICE, command, request, Duration.ofSeconds(40));
    }

    /** The command line of the gateway's chronyd (NUL-separated arguments), among the gw namespace's processes. */
    List<String> gatewayChronyd() throws Exception {
        for (String pid : Lab.run(List.of("ip", "netns", "pids", lab.ns("gw")), Duration.ofSeconds(10)).out()
                .split("\\s+")) {
            Path cmdline = Path.of("/proc", pid, "cmdline");
            if (!pid.isEmpty() && Files.exists(cmdline)) {
                List<String> args = List.of(Files.readString(cmdline).split("\0"));
                if (args.stream().anyMatch(a -> a.endsWith("/chrony.conf"))) {
                    return args;
                }
            }
        }
        return List.of();
    }

    String ruleset() throws Exception {
        return lab.exec("gw", "nft", "-s", "list", "table", "inet", "isthmus").out();
    }

    /** One NTP query by chronyd -Q from {@code node} to {@code server}: its output (never sets the clock). */
    String query(String node, String server) throws Exception {
        Path dir = run.work().resolve("q-" + node);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        Lab.Result r = lab.exec(node, "timeout", "20", "chronyd", "-Q", "-t", "8", "-u", "root",
                "server " + server + " iburst maxsamples 1", "cmdport 0", "bindcmdaddress " + dir.resolve("c.sock"),
                "pidfile " + dir.resolve("c.pid"));
        return r.out() + r.err();
    }

    @Test
    public void gatewaySyncsFromTheLabServerAndServesTimeOnlyWhereTheDocumentSays() throws Exception {
        GatewayProcess g = startSettled(ServicesSystemIT.document(services()));
        List<String> chronyd = gatewayChronyd();
        assertFalse("the gateway runs chronyd:\n" + g.transcript(), chronyd.isEmpty());
        assertTrue("never sets the machine's clock: " + chronyd, chronyd.contains("-x"));

        long start = System.nanoTime();
        JsonNode[] last = new JsonNode[1];
        boolean synced = Lab.within(Duration.ofSeconds(60), () -> FirewallSystemIT.quietly(() -> {
            last[0] = call("time.status", Map.of());
            return last[0].at("/body/synchronised").asBoolean() && last[0].at("/body/source").asText().equals(NTP);
        })) >= 0;
        assertTrue("synchronised to the lab's server: " + last[0] + "\n" + g.transcript(), synced);
        System.out.println("time: gateway synchronised " + (System.nanoTime() - start) / 1_000_000 + " ms after ready");
        JsonNode body = last[0].path("body");
        assertEquals(body.toString(), 9, body.path("stratum").asInt());
        assertEquals(body.toString(), "selected", body.at("/sources/0/state").asText());
        assertTrue(body.toString(), Math.abs(body.path("offsetSeconds").asDouble()) < 1);
        assertFalse(body.toString(), body.path("lastSync").asText().isEmpty());
        assertEquals(body.toString(), List.of("10.20.0.0/24"), List.of(body.at("/serves/0").asText()));

        // the OT host gets time from the gateway; the DMZ, not served, does not
        String ot = query("ot", OT_GW);
        assertTrue("the OT host's query:\n" + ot, ot.contains("System clock wrong by"));
        String dmz = query("dmz", DMZ_GW);
        assertFalse("the DMZ is not served:\n" + dmz, dmz.contains("System clock wrong by"));

        String table = ruleset();
        assertTrue(table, table.contains("\"ntp on eth2\""));
        for (String port : List.of("eth0", "wwan0", "eth1")) {
            assertFalse(port + ":\n" + table, table.contains("\"ntp on " + port + "\""));
        }
        JsonNode helpers = call("status", Map.of()).at("/body/helpers");
        assertTrue(helpers.toString(), helpers.toString().contains("\"chronyd\""));
    }

    /**
     * A time part without servers: the gateway takes the NTP servers of its active uplink's DHCP lease (the lab's
     * wired ISP offers the lab's NTP server as option 42), not Debian's pool.
     */
    @Test
    public void withoutServersTheGatewaySyncsFromItsUplinksLeaseServer() throws Exception {
        assertEquals("the lab's wired ISP offers this server", NTP, lab.get("ISPW_DHCP_NTP"));
        GatewayProcess g = startSettled(ServicesSystemIT.document("""
                {"time": {"serve": ["eth2"]}}"""));
        JsonNode[] last = new JsonNode[1];
        boolean synced = Lab.within(Duration.ofSeconds(60), () -> FirewallSystemIT.quietly(() -> {
            last[0] = call("time.status", Map.of());
            return last[0].at("/body/synchronised").asBoolean() && last[0].at("/body/source").asText().equals(NTP);
        })) >= 0;
        assertTrue("synchronised to the lease's server: " + last[0] + "\n" + g.transcript(), synced);
        JsonNode body = last[0].path("body");
        assertEquals(body.toString(), 1, body.path("servers").size());
        assertEquals(body.toString(), NTP, body.at("/servers/0").asText());
        assertEquals(body.toString(), "dhcp eth0", body.path("serversFrom").asText());
    }

    @Test
    public void badTimeIsRejectedWithPointersAndChangesNothing() throws Exception {
        startSettled(ServicesSystemIT.document(services()));
        String tableBefore = ruleset();
        List<String> chronyd = gatewayChronyd();
        Map<String, String> bad = Map.of(
                "/services/time/serve/0", """
                        {"time": {"serve": ["eth0"]}}""",
                "/services/time/servers/0", """
                        {"time": {"servers": ["300.1.2.3"]}}""",
                "/services/time/servers/1", """
                        {"time": {"servers": ["ntp.example", "bad name;allow all"]}}""");
        for (var e : bad.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> d = MqttTestClient.JSON.readValue(ServicesSystemIT.document(e.getValue()), Map.class);
            JsonNode reply = call("config.put", Map.of("document", d));
            assertEquals(reply.toString(), 400, reply.path("status").asInt());
            assertTrue(e.getKey() + " in " + reply, reply.toString().contains("\"" + e.getKey() + "\""));
        }
        assertEquals(tableBefore, ruleset());
        assertEquals(chronyd, gatewayChronyd());
    }
}
