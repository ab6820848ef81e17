package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * A gateway whose clock is five years back (a board without a clock battery) and the TLS broker of docs/brokers.md
 * (Mosquitto, {@link TlsBroker}) whose certificate is valid from now: the gateway's JVM, and every process it starts
 * (chronyd among them), runs under libfaketime ({@code FAKETIME=-5y}, monotonic clock real); the machine's clock is
 * never touched (the gateway's chronyd runs with -x, isthmus.time.setClock=false, and measures the offset instead of
 * stepping). The lab's NTP server (chronyd -x, {@code local stratum 8}, as in {@link TimeSystemIT}) runs on the real
 * clock. The lab's open broker (plain MQTT, second in the gateway's list) lets the operator read what the gateway says
 * while the TLS broker refuses it.
 */
public class ClockTlsIT {
    static final String NTP = TimeSystemIT.NTP;
    static final String GW_A = TlsBrokerIT.GW_A;
    static final Duration REPLY = Duration.ofSeconds(20);
    static final String FIVE_YEARS_BACK = "-5y";
    /** The brokers whose certificates come from a CA made before the build time (see {@link #oldBrokers}). */
    static final int FLOOR_PORT = 8887;
    static final int EXPIRED_PORT = 8888;

    @ClassRule
    public static final BrokerLab BROKER = new BrokerLab();
    static TlsBroker tls;
    static Path hosts;
    static Instant buildTime;

    @Rule
    public final ManagedGateway run = new ManagedGateway(BROKER, "isthmus-clocktls-");
    @Rule
    public Timeout timeout = Timeout.seconds(420);

    Lab lab;
    Process ntpServer;

    @BeforeClass
    public static void brokers() throws Exception {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        assumeTrue("needs faketime", Files.isExecutable(Path.of("/usr/bin/faketime")));
        tls = TlsBroker.start(BROKER.lab(), GW_A, TlsBrokerIT.OPERATOR);
        hosts = tls.dir.resolve("hosts");
        Files.writeString(hosts, MqttLab.BROKER_ADDR + " " + TlsBroker.NAME + "\n");
        buildTime = buildTime();
        oldBrokers();
    }

    @AfterClass
    public static void stopBrokers() throws Exception {
        if (tls != null) {
            tls.close();
        }
    }

    /** The distribution's build time as the launcher gives it: the parent pom's reproducible timestamp. */
    static Instant buildTime() throws Exception {
        Matcher m = Pattern.compile("<project.build.outputTimestamp>([^<]+)<").matcher(
                Files.readString(Distribution.root().resolve("pom.xml")));
        assertTrue("the parent pom has project.build.outputTimestamp", m.find());
        return Instant.parse(m.group(1));
    }

    /**
     * Two more brokers (the documented configuration; their cafile is the fleet's CA, which checks the gateway's
     * certificate) with certificates from an "old" CA, all made by openssl under faketime before the build time:
     * one valid from 200 days before the build time for 825 days, one that expired 300 days before it.
     */
    static void oldBrokers() throws Exception {
        Path old = Files.createDirectories(tls.dir.resolve("old"));
        String ca = "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out old-ca.key\n"
                + "openssl req -x509 -new -key old-ca.key -days 3650 -subj '/CN=old fleet CA' -out old-ca.pem\n";
        shell(old, buildTime.minus(Duration.ofDays(400)), ca);
        for (var e : Map.of("floor", List.of(200, 825), "expired", List.of(400, 100)).entrySet()) {
            Path d = Files.createDirectories(tls.dir.resolve(e.getKey()));
            Files.copy(tls.dir.resolve("ca.pem"), d.resolve("ca.pem"));
            shell(d, buildTime.minus(Duration.ofDays(e.getValue().get(0))), """
                    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out broker.key
                    openssl req -new -key broker.key -subj "/CN=%1$s" -out broker.csr
                    openssl x509 -req -in broker.csr -CA %2$s/old-ca.pem -CAkey %2$s/old-ca.key -CAcreateserial \
                        -days %3$d -extfile <(printf "subjectAltName=DNS:%1$s") -out broker.pem
                    """.formatted(TlsBroker.NAME, old, e.getValue().get(1)));
            tls.startBroker(d, e.getKey().equals("floor") ? FLOOR_PORT : EXPIRED_PORT, tls.dir.resolve("isthmus.acl"));
        }
        Files.writeString(tls.dir.resolve("ca-both.pem"), Files.readString(tls.dir.resolve("ca.pem"))
                + Files.readString(old.resolve("old-ca.pem")));
    }

    /** {@code script} in bash under faketime at {@code at} (the certificates' start of validity). */
    static void shell(Path in, Instant at, String script) throws Exception {
        String when = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC).format(at);
        Process p = new ProcessBuilder("faketime", "-f", "@" + when, "bash", "-euc", script).directory(in.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue("in " + in + " at " + when + ":\n" + script + "\n" + out,
                p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0);
    }

    @Before
    public void setUp() throws Exception {
        lab = BROKER.lab();
        run.javaOption("-Djdk.net.hosts.file=" + hosts);
        run.fakeClock(FIVE_YEARS_BACK);
        lab.exec("inet", "ip", "addr", "add", NTP + "/32", "dev", "lo");
    }

    @After
    public void tearDown() throws Exception {
        if (ntpServer != null) {
            ntpServer.destroy();
            ntpServer.waitFor(5, TimeUnit.SECONDS);
        }
        lab.exec("inet", "ip", "addr", "del", NTP + "/32", "dev", "lo");
    }

    /** The lab's NTP server on the real clock, -x: it never touches the clock (as in TimeSystemIT). */
    void startNtpServer() throws Exception {
        Path dir = run.work().resolve("lab-ntp");
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        ntpServer = new ProcessBuilder(List.of("ip", "netns", "exec", lab.ns("inet"), "chronyd", "-d", "-x", "-u",
                "root", "local stratum 8", "allow", "cmdport 0", "bindaddress " + NTP, "bindcmdaddress "
                        + dir.resolve("chronyd.sock"), "pidfile " + dir.resolve("chronyd.pid"))).redirectErrorStream(true)
                .redirectOutput(run.work().resolve("lab-ntp.log").toFile()).start();
    }

    /** The lab's services document, managed as gw-a through {@code brokers}, trusting {@code caFile}. */
    static String document(String services, Path caFile, String... brokers) {
        String doc = ServicesSystemIT.document(services);
        String plain = "\"brokers\": [\"" + MqttLab.BROKER + "\"], \"deviceId\": \"" + ManagementSystemIT.DEVICE
                + "\"";
        assertTrue(doc, doc.contains(plain));
        return doc.replace(plain, "\"brokers\": [\"" + String.join("\", \"", brokers) + "\"], \"deviceId\": \""
                + GW_A + "\", \"tls\": {\"caFile\": \"" + caFile + "\", \"certFile\": \"" + tls.dir.resolve(GW_A
                        + ".pem") + "\", \"keyFile\": \"" + tls.dir.resolve(GW_A + ".key") + "\"}");
    }

    /** An operator on the broker at {@code uri}, subscribed to gw-a's state; closed after the test. */
    MqttTestClient operator(Optional<MqttTestClient.Connection> connection) throws Exception {
        MqttTestClient c = run.closeAtEnd(connection.isPresent()
                ? MqttTestClient.v5("op-" + UUID.randomUUID(), true, connection.get())
                : MqttTestClient.v5("op-" + UUID.randomUUID(), true));
        c.subscribe("isthmus/v1/" + GW_A + "/state");
        return c;
    }

    MqttTestClient.Connection tlsOperator(int port, Path caFile) throws Exception {
        return new MqttTestClient.Connection("ssl://" + MqttLab.BROKER_ADDR + ":" + port,
                tls.sockets(TlsBrokerIT.OPERATOR, caFile), "isthmusctl/" + UUID.randomUUID() + "/reply", false, true);
    }

    boolean online(MqttTestClient c) {
        return TlsBrokerIT.online(c, GW_A);
    }

    /** The year the gateway's last retained state message says it is: its own (faked) clock. */
    static int gatewayYear(MqttTestClient c) {
        List<MqttTestClient.Received> s = c.on("/" + GW_A + "/state");
        return Instant.parse(s.get(s.size() - 1).json().path("time").asText()).atZone(ZoneOffset.UTC).getYear();
    }

    static final int REAL_YEAR = Instant.now().atZone(ZoneOffset.UTC).getYear();

    /**
     * Before its first sync the gateway does not give up on the TLS broker whose certificate is "not yet valid" at
     * its clock: it says it waits for the clock, and once chronyd (under the same faked clock) has measured the
     * five years, it connects to the TLS broker, with its clock still five years back.
     */
    @Test
    public void aGatewayYearsBackWaitsForItsFirstSyncThenConnectsToTheTlsBroker() throws Exception {
        String services = """
                {"time": {"servers": ["%s"]}}""".formatted(NTP);
        GatewayProcess g = run.startReady(document(services, tls.dir.resolve("ca.pem"), TlsBroker.URI,
                MqttLab.BROKER));
        MqttTestClient plain = operator(Optional.empty());
        assertTrue("gw-a online through the open broker:\n" + g.transcript(),
                Lab.within(Duration.ofSeconds(60), () -> online(plain)) >= 0);
        assertEquals("the gateway's clock is five years back", REAL_YEAR - 5, gatewayYear(plain));

        JsonNode m = plain.request(GW_A, "status", Map.of(), REPLY).at("/body/management");
        assertEquals(m.toString(), MqttLab.BROKER, m.path("broker").asText());
        String waiting = m.path("lastError").asText();
        System.out.println("lastError, before the first sync: " + waiting);
        assertTrue(waiting, waiting.startsWith(TlsBroker.URI + ": TLS: the broker's certificate is not valid yet at "
                + "the gateway's clock (" + (REAL_YEAR - 5) + "-"));
        assertTrue(waiting, waiting.matches(".*; waiting for the first time sync \\(\\d+ s left\\)"));
        JsonNode time = plain.request(GW_A, "time.status", Map.of(), REPLY).path("body");
        assertTrue(time.toString(), time.path("kept").asBoolean());
        assertFalse(time.toString(), time.path("synchronised").asBoolean());

        // the lab's time server comes up; chronyd is asked to poll at once rather than at its next interval (64 s)
        startNtpServer();
        long start = System.nanoTime();
        JsonNode[] last = new JsonNode[1];
        boolean synced = Lab.within(Duration.ofSeconds(120), () -> FirewallSystemIT.quietly(() -> {
            Lab.run(List.of("chronyc", "-h", run.state().resolve("time/chronyd.sock").toString(), "burst", "2/4"),
                    Duration.ofSeconds(10));
            last[0] = plain.request(GW_A, "time.status", Map.of(), REPLY).path("body");
            return last[0].path("synchronised").asBoolean();
        })) >= 0;
        assertTrue("synchronised: " + last[0] + "\n" + g.transcript(), synced);
        System.out.println("clock: synchronised " + (System.nanoTime() - start) / 1_000_000 + " ms after the server "
                + "came up, offset " + last[0].path("offsetSeconds").asDouble() + " s");
        double fiveYears = Duration.ofDays(5 * 365 + 1).toSeconds();
        assertEquals(last[0].toString(), -fiveYears, last[0].path("offsetSeconds").asDouble(), 2 * 86400);

        // the open broker goes away: the gateway goes back to the first in its list, the TLS broker, and is let in
        MqttTestClient operator = operator(Optional.of(tlsOperator(TlsBroker.PORT, tls.dir.resolve("ca.pem"))));
        BROKER.mqtt().stopBroker();
        assertTrue("gw-a online through the TLS broker after the sync:\n" + g.transcript() + "\nbroker:\n" + tls.log(),
                Lab.within(Duration.ofSeconds(60), () -> online(operator)) >= 0);
        JsonNode after = operator.request(GW_A, "status", Map.of(), REPLY).at("/body/management");
        assertEquals(after.toString(), TlsBroker.URI, after.path("broker").asText());
        assertEquals("the clock itself was never set", REAL_YEAR - 5, gatewayYear(operator));
    }

    /**
     * Without a time part nothing will sync the clock: the build time is the floor at once. A certificate issued
     * before the build time is accepted although the gateway's clock is five years earlier; one that expired before
     * the build time is refused, and lastError says at which date it was checked.
     */
    @Test
    public void withoutTimeTheBuildTimeIsAFloorThatAdmitsOlderCertificatesButNoExpiredOne() throws Exception {
        Path both = tls.dir.resolve("ca-both.pem");
        String expired = "ssl://" + TlsBroker.NAME + ":" + EXPIRED_PORT;
        String floor = "ssl://" + TlsBroker.NAME + ":" + FLOOR_PORT;
        GatewayProcess g = run.startReady(document("{}", both, expired, floor));
        MqttTestClient operator = operator(Optional.of(tlsOperator(FLOOR_PORT, both)));
        assertTrue("gw-a online through the broker whose certificate predates the build:\n" + g.transcript(),
                Lab.within(Duration.ofSeconds(60), () -> online(operator)) >= 0);
        assertEquals("the gateway's clock is five years back", REAL_YEAR - 5, gatewayYear(operator));

        JsonNode m = operator.request(GW_A, "status", Map.of(), REPLY).at("/body/management");
        assertEquals(m.toString(), floor, m.path("broker").asText());
        String error = m.path("lastError").asText();
        System.out.println("lastError, certificate expired before the build time: " + error);
        assertTrue(error, error.startsWith(expired + ": TLS: the broker's certificate has expired"));
        assertTrue(error, error.contains("checked at " + buildTime + ", the distribution's build time: the gateway's "
                + "clock (" + (REAL_YEAR - 5) + "-"));
        assertTrue(error, error.endsWith("is earlier and the gateway does not keep its clock (no services time part)"));
    }
}
