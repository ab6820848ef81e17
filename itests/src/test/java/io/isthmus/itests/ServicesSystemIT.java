package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * DHCP and DNS for the networks behind the gateway, with the real daemons: the gateway's dnsmasq (run by the linux
 * bundle), a real DHCP client (busybox udhcpc) in the DMZ and OT hosts' namespaces, busybox nslookup as the
 * resolver client, the lab's dnsmasq in the internet as the uplinks' resolver, and the firewall's real table.
 */
public class ServicesSystemIT {
    static final String DMZ_GW = "192.168.50.1";
    static final String OT_GW = "10.20.0.1";
    static final String RESERVED = "192.168.50.20";
    /** A second resolver in the lab's internet, the cellular uplink's: it alone knows cell.test. */
    static final String CELL_DNS = "203.0.113.54";
    /** The gateway's NTP server: an address of the lab's internet nothing answers on (these tests need no sync). */
    static final String NO_NTP = "203.0.113.199";
    /** One DNS query over TCP (busybox nslookup speaks UDP only): rcode, answers and the answer's last 4 bytes. */
    static final String TCP_QUERY = """
            import socket, struct, sys
            q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + b"".join(
                bytes([len(l)]) + l.encode() for l in sys.argv[2].split(".")) + b"\\0" + struct.pack(">HH", 1, 1)
            s = socket.create_connection((sys.argv[1], 53), timeout=3)
            s.sendall(struct.pack(">H", len(q)) + q)
            n = struct.unpack(">H", s.recv(2))[0]
            d = b""
            while len(d) < n:
                d += s.recv(n - len(d))
            print("rcode=%d answers=%d last=%s" % (d[3] & 15, struct.unpack(">H", d[6:8])[0], socket.inet_ntoa(d[-4:])))
            """;
    static final Pattern LEASE = Pattern.compile("lease ip=(\\S*) router=(\\S*) dns=(\\S*) domain=(\\S*) ntp=(\\S*)");

    @ClassRule
    public static final BrokerLab BROKER = new BrokerLab();
    @Rule
    public final ManagedGateway run = new ManagedGateway(BROKER, "isthmus-services-");
    @Rule
    public Timeout timeout = Timeout.seconds(300);

    Lab lab;
    Path script;
    final List<Process> processes = new ArrayList<>();
    /** The test's management client, made at the first command. */
    MqttTestClient client;

    @Before
    public void setUp() throws Exception {
        lab = BROKER.lab();
        script = run.work().resolve("udhcpc.sh");
        // prints what the server offered; changes nothing in the host (its static address stays)
        Files.writeString(script, """
                #!/bin/sh
                case "$1" in bound|renew) echo "lease ip=$ip router=${router:--} dns=${dns:--} domain=${domain:--} ntp=${ntpsrv:--}";;
                esac
                exit 0
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @After
    public void tearDown() throws Exception {
        for (Process p : processes) {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        lab.exec("inet", "ip", "addr", "del", CELL_DNS + "/32", "dev", "lo");
    }

    /** The pid of the gateway's dnsmasq for {@code device}, among the processes of the lab's gw namespace. */
    String dnsmasqPid(String device) throws Exception {
        for (String pid : Lab.run(List.of("ip", "netns", "pids", lab.ns("gw")), Duration.ofSeconds(10)).out()
                .split("\\s+")) {
            Path cmdline = Path.of("/proc", pid, "cmdline");
            if (!pid.isEmpty() && Files.exists(cmdline) && Files.readString(cmdline).contains("dnsmasq-" + device
                    + ".conf")) {
                return pid;
            }
        }
        return "";
    }

    static String document(String services) {
        return """
                {"ports": {
                  "eth0":  {"role": "uplink", "cost": 0, "ipv4": {"method": "dhcp"}},
                  "wwan0": {"kind": "ethernet", "role": "uplink", "cost": 100, "dns": ["%s"],
                            "ipv4": {"method": "static", "address": "100.65.1.10/24", "gateway": "100.65.1.1"}},
                  "eth1":  {"role": "dmz", "ipv4": {"method": "static", "address": "192.168.50.1/24"}},
                  "eth2":  {"role": "offline", "ipv4": {"method": "static", "address": "10.20.0.1/24"}}
                 },
                 "firewall": {"conduits": [{"from": "dmz", "to": "uplink", "protocol": "any"}]},
                 "management": {"brokers": ["%s"], "deviceId": "%s", "keepAliveSeconds": 5},
                 "services": %s}
                """.formatted(CELL_DNS, MqttLab.BROKER, ManagementSystemIT.DEVICE, services);
    }

    String services() throws Exception {
        return services("");
    }

    /** The DMZ and OT ports' services, and {@code more} members of the section (each with a leading comma). */
    String services(String more) throws Exception {
        return """
                {"domain": "plant.lan", "ports": {
                  "eth1": {"dhcp": {"start": "192.168.50.100", "end": "192.168.50.150", "leaseSeconds": 600,
                                    "reservations": [{"mac": "%s", "address": "%s", "name": "hmi1"}]},
                           "dns": {}},
                  "eth2": {"dhcp": {"start": "10.20.0.100", "end": "10.20.0.150", "leaseSeconds": 600},
                           "dns": {}}}%s}""".formatted(mac("dmz"), RESERVED, more);
    }

    String mac(String node) throws Exception {
        return lab.ip(node, "link", "show", "eth0").get(0).path("address").asText();
    }

    GatewayProcess startSettled(String document, String... options) throws Exception {
        GatewayProcess g = run.startReady(document, options);
        assertTrue("default route via eth0:\n" + g.transcript(), Lab.within(Duration.ofSeconds(30),
                () -> lab.defaultDevice("gw").equals(Optional.of("eth0"))) >= 0);
        return g;
    }

    /**
     * One DHCP exchange by udhcpc in a host: what it was offered (ip, router, dns, domain, ntp), or empty. It asks
     * for option 42 too (udhcpc does not by default, and dnsmasq sends only the options asked for).
     */
    Optional<Matcher> lease(String node, String... requested) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("timeout", "20", "udhcpc", "-f", "-q", "-n", "-t", "6", "-T",
                "2", "-A", "1", "-O", "ntpsrv", "-i", "eth0", "-s", script.toString()));
        if (requested.length > 0) {
            cmd.addAll(List.of("-r", requested[0]));
        }
        Lab.Result r = lab.exec(node, cmd.toArray(String[]::new));
        Matcher m = LEASE.matcher(r.out());
        return m.find() ? Optional.of(m) : Optional.empty();
    }

    String lookup(String node, String name, String server) throws Exception {
        Lab.Result r = lab.exec(node, "timeout", "6", "busybox", "nslookup", name, server);
        return r.out() + r.err();
    }

    static boolean inOtPool(String ip) {
        Matcher m = Pattern.compile("10\\.20\\.0\\.(\\d+)").matcher(ip);
        return m.matches() && Integer.parseInt(m.group(1)) >= 100 && Integer.parseInt(m.group(1)) <= 150;
    }

    JsonNode call(String command, Map<String, Object> request) throws Exception {
        if (client == null) {
            client = run.closeAtEnd(MqttTestClient.v5("it-" + UUID.randomUUID(), true));
        }
        return client.request(ManagementSystemIT.DEVICE, command, request, Duration.ofSeconds(40));
    }

    String ruleset() throws Exception {
        return lab.exec("gw", "nft", "-s", "list", "table", "inet", "isthmus").out(); // -s: without counters
    }

    @Test
    public void dmzAndOtHostsGetAddressesReservationsAndOnlyTheOptionsTheirRoleAllows() throws Exception {
        // time served on the OT port only (chronyd's own server answers nothing: no sync is needed here)
        GatewayProcess g = startSettled(document(services("""
                , "time": {"servers": ["%s"], "serve": ["eth2"]}""".formatted(NO_NTP))));
        long start = System.nanoTime();
        Matcher dmz = lease("dmz").orElseThrow(() -> new AssertionError("no lease in dmz:\n" + g.transcript()));
        System.out.println("services: DHCP DISCOVER to ACK (udhcpc, dmz, reservation) "
                + (System.nanoTime() - start) / 1_000_000 + " ms");
        assertEquals(RESERVED, dmz.group(1));
        assertEquals(DMZ_GW, dmz.group(2));
        assertEquals(DMZ_GW, dmz.group(3));
        assertEquals("plant.lan", dmz.group(4));
        assertEquals("the DMZ is not served time: no option 42", "-", dmz.group(5));

        start = System.nanoTime();
        Matcher ot = lease("ot").orElseThrow(() -> new AssertionError("no lease in ot:\n" + g.transcript()));
        System.out.println("services: DHCP DISCOVER to ACK (udhcpc, ot, pool) " + (System.nanoTime() - start) / 1_000_000
                + " ms");
        assertTrue(ot.group(1), inOtPool(ot.group(1)));
        assertEquals("an offline port is offered no router", "-", ot.group(2));
        assertEquals(OT_GW, ot.group(3));
        assertEquals("the OT network is served time: the gateway is its NTP server", OT_GW, ot.group(5));

        JsonNode leases = call("dhcp.leases", Map.of());
        assertEquals(leases.toString(), 200, leases.path("status").asInt());
        String listed = leases.at("/body/leases").toString();
        assertTrue(listed, listed.contains(RESERVED) && listed.contains(mac("dmz")) && listed.contains(ot.group(1))
                && listed.contains(mac("ot")));

        // the holes are exactly udp/67 and udp+tcp/53 on the served ports, never on an uplink
        String table = ruleset();
        for (String rule : List.of("dhcp server on eth1", "dhcp server on eth2", "dns on eth1", "dns on eth2")) {
            assertTrue(rule + ":\n" + table, table.contains("\"" + rule + "\""));
        }
        assertFalse(table, table.contains("on eth0\"") || table.contains("on wwan0\""));
        assertFalse("no DNS for the ISP side", lookup("ispw", "example.test", "100.64.1.10").contains("203.0.113.10"));
    }

    @Test
    public void dnsForwardsForTheDmzFollowsTheUplinkAndTheOtNetworkGetsLocalNamesOnly() throws Exception {
        startSettled(document(services()));
        String fromDmz = lookup("dmz", "example.test", DMZ_GW);
        assertTrue(fromDmz, fromDmz.contains("203.0.113.10"));
        String reserved = lookup("dmz", "hmi1.plant.lan", DMZ_GW);
        assertTrue(reserved, reserved.contains(RESERVED));
        // DNS over TCP too (tcp/53 is open on the port as well): one query, its answer's address
        Lab.Result tcp = lab.exec("dmz", "python3", "-c", TCP_QUERY, DMZ_GW, "hmi1.plant.lan");
        assertEquals(tcp.err(), "rcode=0 answers=1 last=" + RESERVED, tcp.out().strip());
        String gateway = lookup("ot", "gateway.plant.lan", OT_GW);
        assertTrue(gateway, gateway.contains(OT_GW));
        String otReserved = lookup("ot", "hmi1.plant.lan", OT_GW);
        assertTrue(otReserved, otReserved.contains(RESERVED));
        String fromOt = lookup("ot", "example.test", OT_GW);
        assertFalse("the OT network cannot resolve internet names:\n" + fromOt, fromOt.contains("203.0.113.10"));

        // the cellular uplink's own resolver, which alone knows cell.test
        lab.exec("inet", "ip", "addr", "add", CELL_DNS + "/32", "dev", "lo");
        processes.add(new ProcessBuilder(List.of("ip", "netns", "exec", lab.ns("inet"), "dnsmasq", "--keep-in-foreground",
                "--no-resolv", "--no-hosts", "--pid-file=", "--listen-address=" + CELL_DNS, "--bind-interfaces",
                "--port=53", "--address=/cell.test/203.0.113.11")).redirectErrorStream(true)
                .redirectOutput(run.work().resolve("cell-dns.log").toFile()).start());
        lab.fault("pull", "wired");
        try {
            assertTrue("default route via wwan0", Lab.within(Duration.ofSeconds(30),
                    () -> lab.defaultDevice("gw").equals(Optional.of("wwan0"))) >= 0);
            long switched = System.nanoTime();
            assertTrue("the DMZ resolves through the new uplink's resolver", Lab.within(Duration.ofSeconds(15),
                    () -> FirewallSystemIT.quietly(() -> lookup("dmz", "cell.test", DMZ_GW).contains("203.0.113.11")))
                    >= 0);
            System.out.println("services: DNS forwarder on the new uplink's resolver "
                    + (System.nanoTime() - switched) / 1_000_000 + " ms after the default route moved");
            assertFalse(lookup("ot", "cell.test", OT_GW).contains("203.0.113.11"));
        } finally {
            lab.fault("restore", "wired");
        }
    }

    @Test
    public void leasesSurviveAGatewayRestartAndAnUpdateOfTheServicesBundle() throws Exception {
        String doc = document(services());
        GatewayProcess g = startSettled(doc, "--shell");
        String first = lease("ot").orElseThrow(() -> new AssertionError("no lease:\n" + g.transcript())).group(1);
        g.close();

        GatewayProcess again = startSettled(doc, "--shell");
        awaitForwarding();
        // before the host asks again, the restarted server already knows its lease (kept in the state dir)
        String listed = call("dhcp.leases", Map.of("port", "eth2")).at("/body/leases").toString();
        assertTrue(listed, listed.contains(first) && listed.contains(mac("ot")));
        assertEquals(first, lease("ot", first).orElseThrow().group(1));

        String pid = dnsmasqPid("eth2");
        again.type("update " + again.bundleId("io.isthmus.services"));
        assertTrue(again.transcript(), again.awaitOutput("services: eth2:", Duration.ofSeconds(20)));
        assertEquals("the server was not restarted by the update", pid,
                dnsmasqPid("eth2"));
        assertEquals(first, lease("ot", first).orElseThrow().group(1));
        // the firewall plans the openings of the services bundle that came back on its own worker, beside the
        // services' apply that logged above: poll, bounded
        assertTrue(ruleset(), Lab.within(Duration.ofSeconds(5), () -> FirewallSystemIT.quietly(() -> ruleset()
                .contains("\"dhcp server on eth2\""))) >= 0);
    }

    /** Once the DMZ's server forwards to the wired uplink's resolver: the servers are as the document says. */
    void awaitForwarding() throws Exception {
        assertTrue("eth1 forwards to the uplink's resolver", Lab.within(Duration.ofSeconds(15), () ->
                FirewallSystemIT.quietly(() -> call("dhcp.leases", Map.of("port", "eth1"))
                        .at("/body/ports/eth1/forwardsTo").toString().contains("203.0.113.53"))) >= 0);
    }

    @Test
    public void badServicesAreRejectedWithPointersAndChangeNothing() throws Exception {
        startSettled(document(services()));
        awaitForwarding();
        String tableBefore = ruleset();
        String pid = dnsmasqPid("eth1");
        Map<String, String> bad = Map.of(
                "/services/ports/eth0", """
                        {"ports": {"eth0": {"dhcp": {"start": "100.64.1.200", "end": "100.64.1.210"}}}}""",
                "/services/ports/eth1/dhcp/reservations/0/address", """
                        {"ports": {"eth1": {"dhcp": {"start": "192.168.50.100", "end": "192.168.50.150",
                          "reservations": [{"mac": "02:00:00:00:00:99", "address": "10.20.0.9"}]}}}}""",
                "/services/ports/eth2/dhcp", """
                        {"ports": {"eth2": {"dhcp": {"start": "10.20.0.1", "end": "10.20.0.50"}}}}""");
        for (var e : bad.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> d = MqttTestClient.JSON.readValue(document(e.getValue()), Map.class);
            JsonNode reply = call("config.put", Map.of("document", d));
            assertEquals(reply.toString(), 400, reply.path("status").asInt());
            assertTrue(e.getKey() + " in " + reply, reply.toString().contains("\"" + e.getKey() + "\""));
        }
        assertEquals(tableBefore, ruleset());
        assertEquals(pid, dnsmasqPid("eth1"));
    }
}
