package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * {@code credentials.rotate} against the real TLS Mosquitto of docs/brokers.md ({@link TlsBroker}): gw-a logs in
 * with its certificate, an operator sends it a new one over MQTT. A certificate of the fleet's CA is committed (and
 * used after a restart); one the broker does not trust is rolled back and gw-a is back online with the old one
 * within the window + 10 s; a kill -9 during the trial leaves the old set, the only one, in force at the next start.
 */
public class CredentialRotationIT {
    static final String GW_A = TlsBrokerIT.GW_A;
    static final String OPERATOR = TlsBrokerIT.OPERATOR;
    static final Duration WINDOW = Duration.ofSeconds(15);
    static final Duration REPLY = Duration.ofSeconds(10);

    @ClassRule
    public static final BrokerLab BROKER = new BrokerLab();
    static TlsBroker tls;
    static Path hosts;
    /** gw-a's second certificate from the fleet's CA, valid 20 days (inside the 30-day warning). */
    static Path renewed;

    @Rule
    public final ManagedGateway run = new ManagedGateway(BROKER, "isthmus-rotateit-");
    @Rule
    public Timeout timeout = Timeout.seconds(300);

    @BeforeClass
    public static void broker() throws Exception {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        tls = TlsBroker.start(BROKER.lab(), GW_A, OPERATOR);
        hosts = tls.dir.resolve("hosts");
        Files.writeString(hosts, MqttLab.BROKER_ADDR + " " + TlsBroker.NAME + "\n");
        renewed = Files.createDirectories(tls.dir.resolve("renewed"));
        Files.copy(tls.dir.resolve("ca.pem"), renewed.resolve("ca.pem"));
        Files.copy(tls.dir.resolve("ca.key"), renewed.resolve("ca.key"));
        shell(renewed, TlsBroker.pkiSection("one gateway").replace("gw-0001", GW_A).replaceAll("-days [0-9]+",
                "-days 20"));
    }

    static void shell(Path in, String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-euc", script).directory(in.toFile()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(script + "\n" + out, p.waitFor() == 0);
    }

    @AfterClass
    public static void stop() throws Exception {
        if (tls != null) {
            tls.close();
        }
    }

    @Before
    public void resolver() {
        run.javaOption("-Djdk.net.hosts.file=" + hosts);
    }

    MqttTestClient startOnline() throws Exception {
        GatewayProcess g = run.startReady(TlsBrokerIT.document(tls, tls.dir, TlsBroker.URI));
        MqttTestClient operator = run.closeAtEnd(MqttTestClient.v5(OPERATOR + "-" + UUID.randomUUID(), true,
                TlsBrokerIT.connectionTo(tls, OPERATOR, TlsBroker.PORT)));
        operator.subscribe("isthmus/v1/" + GW_A + "/state");
        operator.subscribe("isthmus/v1/" + GW_A + "/evt/mgmt");
        assertTrue("gw-a online:\n" + g.transcript(), Lab.within(Duration.ofSeconds(45),
                () -> TlsBrokerIT.online(operator, GW_A)) >= 0);
        return operator;
    }

    static Map<String, Object> rotation(Path certs) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("certificate", Files.readString(certs.resolve(GW_A + ".pem")));
        r.put("key", Files.readString(certs.resolve(GW_A + ".key")));
        r.put("windowMs", WINDOW.toMillis());
        return r;
    }

    static JsonNode certificate(MqttTestClient operator) throws Exception {
        JsonNode status = operator.request(GW_A, "status", Map.of(), REPLY);
        assertEquals(status.toString(), 200, status.path("status").asInt());
        return status.at("/body/management/certificate");
    }

    /** The gateway's credential sets on disk (bundle data of the mgmt bundle, under its state dir). */
    List<Path> sets() throws Exception {
        try (Stream<Path> s = Files.walk(run.state())) {
            return s.filter(p -> p.getFileName().toString().matches("set-[0-9]+") && Files.isDirectory(p)).toList();
        }
    }

    @Test
    public void aCertificateOfTheFleetsCaIsCommittedWarnsOfItsExpiryAndIsUsedAfterARestart() throws Exception {
        MqttTestClient operator = startOnline();
        JsonNode before = certificate(operator);
        assertEquals(before.toString(), "document", before.path("source").asText());
        assertEquals(before.toString(), "CN=" + GW_A, before.path("subject").asText());

        JsonNode reply = operator.request(GW_A, "credentials.rotate", rotation(renewed), WINDOW.plusSeconds(30));
        assertEquals(reply.toString(), 200, reply.path("status").asInt());
        assertEquals(reply.toString(), "committed", reply.at("/body/result").asText());
        assertFalse("the key is never echoed", reply.toString().contains("PRIVATE KEY"));
        JsonNode after = certificate(operator);
        assertEquals(after.toString(), "credentials.rotate", after.path("source").asText());
        assertTrue(after.toString(), after.path("daysLeft").asInt() < 20);
        assertTrue("the expiry warning: " + operator.on("/evt/mgmt"), Lab.within(Duration.ofSeconds(10),
                () -> operator.on("/evt/mgmt").stream().anyMatch(e -> "certificate expiring".equals(e.json()
                        .at("/body/event").asText()))) >= 0);
        JsonNode config = operator.request(GW_A, "config.get", Map.of(), REPLY);
        assertFalse("config.get shows no credentials", config.toString().contains("PRIVATE KEY"));
        List<Path> sets = sets();
        assertEquals(sets.toString(), 1, sets.size());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files
                .getPosixFilePermissions(sets.get(0).resolve("key.pem"))));
        assertFalse("never logged", run.gateway().transcript().contains("PRIVATE KEY"));

        run.gateway().terminate();
        run.gateway().awaitExit(Duration.ofSeconds(30));
        MqttTestClient again = startOnline();
        assertEquals("credentials.rotate", certificate(again).path("source").asText());
    }

    @Test
    public void aCertificateTheBrokerRefusesIsRolledBackAndTheGatewayIsBackWithinTheWindow() throws Exception {
        MqttTestClient operator = startOnline();
        long start = System.nanoTime();
        JsonNode reply = operator.request(GW_A, "credentials.rotate", rotation(tls.dir.resolve("other-ca")),
                WINDOW.plusSeconds(40));
        long replyMs = (System.nanoTime() - start) / 1_000_000;
        System.out.println("credentials.rotate, a certificate of another CA: " + reply + " (" + replyMs + " ms)");
        assertEquals(reply.toString(), 409, reply.path("status").asInt());
        assertEquals(reply.toString(), "rolled-back", reply.at("/error/code").asText());
        assertTrue("online again within the window + 10 s: " + replyMs + " ms", replyMs
                < WINDOW.plusSeconds(10).toMillis() || TlsBrokerIT.online(operator, GW_A));
        assertTrue(Lab.within(WINDOW.plusSeconds(10).minusMillis(Math.min(replyMs, WINDOW.toMillis())),
                () -> TlsBrokerIT.online(operator, GW_A)) >= 0);
        assertEquals("document", certificate(operator).path("source").asText());
        assertEquals(List.of(), sets());
    }

    @Test
    public void killedDuringTheTrialTheGatewayStartsWithTheOldSetItsOnlyOne() throws Exception {
        MqttTestClient operator = startOnline();
        Map<String, Object> r = rotation(tls.dir.resolve("other-ca"));
        r.put("id", UUID.randomUUID().toString());
        // the reply never comes: the gateway dies first
        Thread sender = new Thread(() -> {
            try {
                operator.request(GW_A, "credentials.rotate", r, WINDOW.plusSeconds(5));
            } catch (Exception expected) {
                // no reply
            }
        });
        sender.setDaemon(true);
        sender.start();
        assertTrue(run.gateway().transcript(), run.gateway().awaitOutput("trying new credentials",
                Duration.ofSeconds(20)));
        assertEquals(1, sets().size());
        Lab.run(List.of("kill", "-9", String.valueOf(run.gateway().pid())), Duration.ofSeconds(5));
        run.gateway().awaitExit(Duration.ofSeconds(10));

        MqttTestClient again = startOnline();
        assertEquals("document", certificate(again).path("source").asText());
        assertEquals("the cut-short set is gone", List.of(), sets());
    }

    /**
     * isthmusctl rotates a fleet like a bundle rollout: a canary whose certificate the broker refuses is rolled back
     * and stops the rollout (the next wave is not started); with a good certificate the device commits.
     */
    @Test
    public void isthmusctlRotatesInWavesAndStopsWhenTheCanaryIsRolledBack() throws Exception {
        startOnline();
        Path cli = Distribution.root().resolve("tools/isthmusctl/target/isthmusctl/bin/isthmusctl");
        assumeTrue("isthmusctl is built (mvn package -pl tools/isthmusctl)", Files.isExecutable(cli));
        List<String> login = List.of("--broker", TlsBroker.URI, "--ca-file", tls.dir.resolve("ca.pem").toString(),
                "--cert-file", tls.dir.resolve(OPERATOR + ".pem").toString(), "--key-file",
                tls.dir.resolve(OPERATOR + ".key").toString());
        Path bad = Files.createDirectories(tls.dir.resolve("fleet-bad"));
        for (String d : List.of(GW_A, "gw-later")) {
            Files.copy(tls.dir.resolve("other-ca/" + GW_A + ".pem"), bad.resolve(d + ".pem"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(tls.dir.resolve("other-ca/" + GW_A + ".key"), bad.resolve(d + ".key"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Lab.Result stopped = TlsBrokerIT.isthmusctl(hosts, Duration.ofSeconds(120), cli, login, "credentials",
                "rotate", "--devices", GW_A + ",gw-later", "--canary", GW_A, "--certs", bad.toString(), "--window",
                String.valueOf(WINDOW.toMillis()));
        System.out.println("isthmusctl credentials rotate, a bad canary:\n" + stopped.out() + stopped.err());
        assertEquals(stopped.out() + stopped.err(), 11, stopped.exit());
        assertTrue(stopped.out(), stopped.out().lines().anyMatch(l -> l.startsWith(GW_A) && l.contains("rolledBack")));
        assertTrue(stopped.out(), stopped.out().lines().anyMatch(l -> l.startsWith("gw-later")
                && l.contains("notStarted")));

        Lab.Result good = TlsBrokerIT.isthmusctl(hosts, Duration.ofSeconds(120), cli, login, "credentials",
                "rotate", GW_A, "--certs", renewed.toString(), "--window", String.valueOf(WINDOW.toMillis()));
        System.out.println("isthmusctl credentials rotate:\n" + good.out() + good.err());
        assertEquals(good.out() + good.err(), 0, good.exit());
        assertTrue(good.out(), good.out().lines().anyMatch(l -> l.startsWith(GW_A) && l.contains("committed")
                && l.matches(".* 20[0-9]{2}-[0-9]{2}-[0-9]{2}T.*")));
    }
}
