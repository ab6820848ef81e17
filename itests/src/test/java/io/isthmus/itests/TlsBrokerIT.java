package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * The broker set-up of docs/brokers.md, for real: Debian's Mosquitto on the lab's internet with a TLS listener,
 * client certificates as identities ({@code require_certificate}, {@code use_identity_as_username}) and the
 * per-device ACL, all taken from the document's text ({@link TlsBroker}); the x86-industrial gateway in gw logs in
 * with its certificate (CN gw-a); operators log in with theirs. The gateway resolves the broker's name from a hosts
 * file (the JDK's {@code jdk.net.hosts.file}): its resolver would ask the host's DNS, not the lab's.
 */
public class TlsBrokerIT {
    static final String GW_A = "gw-a";
    static final String GW_B = "gw-b";
    static final String OPERATOR = "operator-alice";
    static final Duration REPLY = Duration.ofSeconds(10);

    @ClassRule
    public static final BrokerLab BROKER = new BrokerLab();
    static TlsBroker tls;
    static Path hosts;

    @Rule
    public final ManagedGateway run = new ManagedGateway(BROKER, "isthmus-tlsit-");
    @Rule
    public Timeout timeout = Timeout.seconds(300);

    @BeforeClass
    public static void brokers() throws Exception {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        tls = TlsBroker.start(BROKER.lab(), GW_A, GW_B, OPERATOR);
        hosts = tls.dir.resolve("hosts");
        Files.writeString(hosts, MqttLab.BROKER_ADDR + " " + TlsBroker.NAME + "\n");
    }

    @AfterClass
    public static void stopBrokers() throws Exception {
        if (tls != null) {
            tls.close();
        }
    }

    @Before
    public void resolver() {
        run.javaOption("-Djdk.net.hosts.file=" + hosts);
    }

    /** The lab document, managed through the TLS broker(s) {@code brokers} with gw-a's certificate. */
    static String document(String... brokers) {
        return document(tls.dir, brokers);
    }

    /** The same with gw-a's certificate and key from {@code certs}. */
    static String document(Path certs, String... brokers) {
        return document(tls, certs, brokers);
    }

    /** The same for the brokers of {@code tls}. */
    static String document(TlsBroker tls, Path certs, String... brokers) {
        String management = "\"brokers\": [\"" + String.join("\", \"", brokers) + "\"], \"deviceId\": \"" + GW_A
                + "\", \"tls\": {\"caFile\": \"" + tls.dir.resolve("ca.pem") + "\", \"certFile\": \""
                + certs.resolve(GW_A + ".pem") + "\", \"keyFile\": \"" + certs.resolve(GW_A + ".key") + "\"}";
        String plain = "\"brokers\": [\"" + MqttLab.BROKER + "\"], \"deviceId\": \"" + ManagementSystemIT.DEVICE
                + "\"";
        assertTrue(ManagementSystemIT.GOOD.contains(plain));
        return ManagementSystemIT.GOOD.replace(plain, management);
    }

    /** A client in the test JVM logging in with {@code identity}'s certificate; closed after the test. */
    MqttTestClient client(String identity) throws Exception {
        return client(identity, TlsBroker.PORT);
    }

    MqttTestClient client(String identity, int port) throws Exception {
        return run.closeAtEnd(MqttTestClient.v5(identity + "-" + UUID.randomUUID(), true, connection(identity,
                port)));
    }

    static MqttTestClient.Connection connection(String identity, int port) throws Exception {
        return connectionTo(tls, identity, port);
    }

    static MqttTestClient.Connection connectionTo(TlsBroker tls, String identity, int port) throws Exception {
        return new MqttTestClient.Connection("ssl://" + MqttLab.BROKER_ADDR + ":" + port,
                tls.sockets(identity), "isthmusctl/" + UUID.randomUUID() + "/reply", false, OPERATOR.equals(identity));
    }

    static boolean online(MqttTestClient c, String device) {
        List<MqttTestClient.Received> s = c.on("/" + device + "/state");
        return !s.isEmpty() && s.get(s.size() - 1).json().path("online").asBoolean();
    }

    /** gw-a started with {@code document}, online as its operator sees it. */
    MqttTestClient startOnline(String document) throws Exception {
        return startOnline(document, TlsBroker.PORT);
    }

    /** The same, with the operator on the broker at {@code port}. */
    MqttTestClient startOnline(String document, int port) throws Exception {
        GatewayProcess g = run.startReady(document);
        MqttTestClient operator = client(OPERATOR, port);
        operator.subscribe("isthmus/v1/" + GW_A + "/state");
        assertTrue("gw-a online through the TLS broker:\n" + g.transcript() + "\nbroker:\n" + tls.log(),
                Lab.within(Duration.ofSeconds(45), () -> online(operator, GW_A)) >= 0);
        return operator;
    }

    @Test
    public void theGatewayLogsInWithItsCertificateAnswersStatusAndCommitsAConfigPutThroughTheDocumentedAcl()
            throws Exception {
        MqttTestClient operator = startOnline(document(TlsBroker.URI));

        JsonNode status = operator.request(GW_A, "status", Map.of(), REPLY);
        assertEquals(status.toString(), 200, status.path("status").asInt());
        JsonNode m = status.at("/body/management");
        assertTrue(m.toString(), m.path("connected").asBoolean());
        assertEquals(m.toString(), TlsBroker.URI, m.path("broker").asText());
        // online at all means the broker took the certificate's CN as the user: the ACL lets only user gw-a
        // publish isthmus/v1/gw-a/state

        // test-before-commit sends itself a 4 KiB probe through the broker: the ACL must let it
        long before = status.at("/body/generation/number").asLong();
        String changed = document(TlsBroker.URI).replace("10.20.0.1/24", "10.20.0.2/24");
        Map<?, ?> next = MqttTestClient.JSON.readValue(changed, Map.class);
        JsonNode put = operator.request(GW_A, "config.put", Map.of("document", next),
                ManagementSystemIT.WINDOW.plusSeconds(30));
        assertEquals("config.put through the TLS broker: " + put + "\n" + run.gateway().transcript(), 200,
                put.path("status").asInt());
        assertTrue(put.toString(), put.at("/body/generation/number").asLong() > before);
        JsonNode after = operator.request(GW_A, "config.get", Map.of(), REPLY);
        assertEquals("10.20.0.2/24", after.at("/body/document/ports/eth2/ipv4/address").asText());
    }

    /** The documented WebSocket listener: the gateway logs in over wss:// and commits a change through it. */
    @Test
    public void theGatewayLogsInOverWebSocketWithTlsAndCommitsAConfigPut() throws Exception {
        MqttTestClient operator = startOnline(document(TlsBroker.WSS_URI));
        JsonNode status = operator.request(GW_A, "status", Map.of(), REPLY);
        assertEquals(status.toString(), TlsBroker.WSS_URI, status.at("/body/management/broker").asText());
        String changed = document(TlsBroker.WSS_URI).replace("10.20.0.1/24", "10.20.0.2/24");
        JsonNode put = operator.request(GW_A, "config.put", Map.of("document",
                MqttTestClient.JSON.readValue(changed, Map.class)), ManagementSystemIT.WINDOW.plusSeconds(30));
        assertEquals("config.put over wss: " + put, 200, put.path("status").asInt());
    }

    /** What the documented ACL's probe line is for: without it every change is rolled back, and the reply says why. */
    @Test
    public void withoutTheAclsProbeLineAConfigPutIsRolledBackWithTheBrokersReason() throws Exception {
        String broker = "ssl://" + TlsBroker.NAME + ":" + TlsBroker.NO_PROBE_PORT;
        MqttTestClient operator = startOnline(document(broker), TlsBroker.NO_PROBE_PORT);
        String changed = document(broker).replace("10.20.0.1/24", "10.20.0.2/24");
        long start = System.nanoTime();
        JsonNode put = operator.request(GW_A, "config.put", Map.of("document",
                MqttTestClient.JSON.readValue(changed, Map.class)), ManagementSystemIT.WINDOW.plusSeconds(30));
        assertEquals(put.toString(), 409, put.path("status").asInt());
        assertTrue(put.toString(), put.at("/body/reason").asText().endsWith("the broker refused the message to "
                + "isthmus/v1/gw-a/cmd/.probe: reason 135 (not authorized: does its ACL let this device publish "
                + "there?)"));
        assertTrue("said at once, not at the end of the window", Duration.ofNanos(System.nanoTime() - start)
                .compareTo(ManagementSystemIT.WINDOW) < 0);
    }

    /** {@code lastError} after the gateway moved on from {@code bad} to the good broker. */
    JsonNode refusedThenOnline(int badPort) throws Exception {
        String bad = "ssl://" + TlsBroker.NAME + ":" + badPort;
        MqttTestClient operator = startOnline(document(bad, TlsBroker.URI));
        JsonNode m = operator.request(GW_A, "status", Map.of(), REPLY).at("/body/management");
        assertEquals("connected to the genuine broker only: " + m, TlsBroker.URI, m.path("broker").asText());
        assertTrue(m.toString(), m.path("lastError").asText().startsWith(bad + ": "));
        return m;
    }

    @Test
    public void aBrokerCertificateForAnotherHostNameIsRefusedWithAClearLastError() throws Exception {
        JsonNode m = refusedThenOnline(TlsBroker.WRONG_HOST_PORT);
        String error = m.path("lastError").asText();
        System.out.println("lastError, wrong host name: " + error);
        assertTrue(error, error.contains("TLS: the broker's certificate is not for the host name the gateway "
                + "connects to") && error.contains(TlsBroker.NAME));
    }

    @Test
    public void aBrokerCertificateFromAnotherCaIsRefusedWithAClearLastError() throws Exception {
        JsonNode m = refusedThenOnline(TlsBroker.OTHER_CA_PORT);
        String error = m.path("lastError").asText();
        System.out.println("lastError, other CA: " + error);
        assertTrue(error, error.contains("TLS: the broker's certificate is not signed by a CA the gateway trusts "
                + "(management.tls.caFile"));
    }

    /**
     * A gateway certificate from another CA: the broker refuses the handshake. Its second broker is the lab's open
     * one (plain MQTT, no certificate needed), so the operator can read what the gateway says about the first.
     */
    @Test
    public void aGatewayCertificateTheBrokerDoesNotTrustIsRefusedWithAClearLastError() throws Exception {
        run.startReady(document(tls.dir.resolve("other-ca"), TlsBroker.URI, MqttLab.BROKER));
        MqttTestClient operator = run.closeAtEnd(MqttTestClient.v5("it-" + UUID.randomUUID(), true));
        operator.subscribe("isthmus/v1/" + GW_A + "/state");
        assertTrue("gw-a online through the open broker:\n" + run.gateway().transcript(),
                Lab.within(Duration.ofSeconds(45), () -> online(operator, GW_A)) >= 0);
        JsonNode m = operator.request(GW_A, "status", Map.of(), REPLY).at("/body/management");
        assertEquals(m.toString(), MqttLab.BROKER, m.path("broker").asText());
        String error = m.path("lastError").asText();
        System.out.println("lastError, gateway certificate from another CA: " + error);
        // TLS 1.3: the broker judges the client certificate after the gateway's side of the handshake, so the
        // gateway sees a closed connection (or, when it reads first, the broker's alert)
        assertTrue(error, error.startsWith(TlsBroker.URI + ": ") && (error.contains("the broker closed the TLS "
                + "connection at once: did it refuse the gateway's client certificate (management.tls.certFile")
                || error.contains("TLS: the broker refused the gateway's client certificate")));
    }

    /**
     * gw-b is a client with gw-b's certificate, subscribed to its own commands; gw-a is the gateway. A stolen key
     * of either reads and writes nothing of the other: each attempt is followed by a marker the thief (or victim)
     * may see on its own topics, so "nothing came" is decided by an event, not by waiting.
     */
    @Test
    public void aGatewayCanNeitherReadNorPublishAnotherGatewaysTopics() throws Exception {
        MqttTestClient operator = startOnline(document(TlsBroker.URI));
        operator.subscribe("isthmus/v1/" + GW_B + "/state");
        operator.subscribe("isthmus/v1/" + GW_A + "/cmd/#");
        MqttTestClient b = client(GW_B);
        b.subscribe("isthmus/v1/" + GW_B + "/cmd/+");
        b.publish("isthmus/v1/" + GW_B + "/state", "{\"online\": true}".getBytes(StandardCharsets.UTF_8),
                Optional.empty());
        assertTrue("control: gw-b may publish its own state",
                Lab.within(REPLY, () -> online(operator, GW_B)) >= 0);

        // gw-b (a stolen key) tries gw-a's topics: reads nothing, its commands and fake state go nowhere
        attempt(() -> b.subscribe("isthmus/v1/" + GW_A + "/#"));
        attempt(() -> b.publish("isthmus/v1/" + GW_A + "/cmd/config.rollback",
                "{\"generation\": 1}".getBytes(StandardCharsets.UTF_8), Optional.of("thief")));
        String fake = "fake-" + UUID.randomUUID();
        attempt(() -> b.publish("isthmus/v1/" + GW_A + "/state", ("{\"online\": false, \"reason\": \"" + fake
                + "\"}").getBytes(StandardCharsets.UTF_8), Optional.empty()));
        String marker = "marker-" + UUID.randomUUID();
        operator.publish("isthmus/v1/" + GW_B + "/cmd/" + marker, "{}".getBytes(StandardCharsets.UTF_8),
                Optional.empty());
        operator.publish("isthmus/v1/" + GW_A + "/cmd/" + marker, "{}".getBytes(StandardCharsets.UTF_8),
                Optional.empty());
        assertTrue(Lab.within(REPLY, () -> !b.on("/cmd/" + marker).isEmpty()
                && !operator.on("/" + GW_A + "/cmd/" + marker).isEmpty()) >= 0);
        assertEquals("gw-b read gw-a's topics (its retained state at least)", List.of(),
                b.received.stream().filter(r -> r.topic().contains("/" + GW_A + "/")).toList());
        assertEquals("gw-b's command reached gw-a's topic", List.of(), operator.on("/cmd/config.rollback"));
        assertTrue("gw-b's fake state reached gw-a's topic: " + operator.on("/" + GW_A + "/state"), operator
                .on("/" + GW_A + "/state").stream().noneMatch(r -> fake.equals(r.json().path("reason").asText())));
        MqttTestClient fresh = client(OPERATOR);
        fresh.subscribe("isthmus/v1/" + GW_A + "/state");
        assertTrue("gw-a's retained state is its own", Lab.within(REPLY, () -> online(fresh, GW_A)) >= 0);
        assertEquals(GW_A, fresh.on("/state").get(0).json().path("deviceId").asText());

        // gw-a's key (a second client, not the gateway's session) tries gw-b's topics
        MqttTestClient a = client(GW_A);
        attempt(() -> a.subscribe("isthmus/v1/" + GW_B + "/#"));
        attempt(() -> a.publish("isthmus/v1/" + GW_B + "/cmd/status", "{}".getBytes(StandardCharsets.UTF_8),
                Optional.of("thief")));
        a.subscribe("isthmus/v1/" + GW_A + "/cmd/+");
        String second = "marker-" + UUID.randomUUID();
        operator.publish("isthmus/v1/" + GW_A + "/cmd/" + second, "{}".getBytes(StandardCharsets.UTF_8),
                Optional.empty());
        operator.publish("isthmus/v1/" + GW_B + "/cmd/" + second, "{}".getBytes(StandardCharsets.UTF_8),
                Optional.empty());
        assertTrue(Lab.within(REPLY, () -> !a.on("/cmd/" + second).isEmpty()
                && !b.on("/cmd/" + second).isEmpty()) >= 0);
        assertEquals("gw-a read gw-b's topics", List.of(),
                a.received.stream().filter(r -> r.topic().contains("/" + GW_B + "/")).toList());
        assertEquals("gw-a's command reached gw-b", List.of(), b.on("/cmd/status"));

        // and the gateway still works for the operator
        assertEquals(200, operator.request(GW_A, "status", Map.of(), REPLY).path("status").asInt());
    }

    interface Attempt {
        void run() throws Exception;
    }

    /** A denied subscribe or publish may fail (MQTT 5 reason 0x87) or be acknowledged and dropped: both are fine. */
    static void attempt(Attempt a) {
        try {
            a.run();
        } catch (Exception denied) {
            System.out.println("denied: " + denied);
        }
    }

    @Test
    public void isthmusctlWorksWithItsOwnOperatorCertificate() throws Exception {
        startOnline(document(TlsBroker.URI));
        Path cli = Distribution.root().resolve("tools/isthmusctl/target/isthmusctl/bin/isthmusctl");
        assumeTrue("isthmusctl is built (mvn package -pl tools/isthmusctl)", Files.isExecutable(cli));
        List<String> login = List.of("--broker", TlsBroker.URI, "--ca-file", tls.dir.resolve("ca.pem").toString(),
                "--cert-file", tls.dir.resolve(OPERATOR + ".pem").toString(), "--key-file",
                tls.dir.resolve(OPERATOR + ".key").toString());
        Lab.Result status = isthmusctl(cli, login, "--json", "status", GW_A);
        assertEquals(status.out() + status.err(), 0, status.exit());
        assertEquals(TlsBroker.URI, MqttTestClient.JSON.readTree(status.out()).at("/body/management/broker")
                .asText());
        Lab.Result devices = isthmusctl(cli, login, "devices");
        assertEquals(devices.err(), 0, devices.exit());
        assertTrue(devices.out(), devices.out().contains(GW_A));

        // without a certificate the broker refuses the login; with gw-b's, no reply: a gateway's key may not read
        // the operators' reply topics
        Lab.Result anonymous = isthmusctl(cli, login.subList(0, 4), "status", GW_A);
        assertEquals(anonymous.out() + anonymous.err(), 1, anonymous.exit());
        List<String> asB = new ArrayList<>(login);
        asB.set(5, tls.dir.resolve(GW_B + ".pem").toString());
        asB.set(7, tls.dir.resolve(GW_B + ".key").toString());
        Lab.Result thief = isthmusctl(cli, asB, "--timeout", "3", "status", GW_A);
        assertEquals("no reply for gw-b's key (it may not read isthmusctl/+/reply): " + thief.out() + thief.err(), 3, thief.exit());
    }

    static Lab.Result isthmusctl(Path cli, List<String> login, String... args) throws Exception {
        return isthmusctl(hosts, Duration.ofSeconds(60), cli, login, args);
    }

    /** isthmusctl resolving the lab's names from {@code hostsFile}, given {@code limit} to finish. */
    static Lab.Result isthmusctl(Path hostsFile, Duration limit, Path cli, List<String> login, String... args)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of("env", "JDK_JAVA_OPTIONS=-Djdk.net.hosts.file=" + hostsFile,
                cli.toString()));
        cmd.addAll(login);
        cmd.addAll(List.of(args));
        return Lab.run(cmd, limit);
    }

    /**
     * The figure in docs/benchmarks.md: what TLS with a client certificate adds to a connection, median of 20 after
     * 5 warm-ups: TCP connect alone against TCP connect plus the full handshake (new TLS context each time, as the
     * agent builds one per attempt: no session resumption). The MQTT CONNECT on top is the same for both.
     */
    @Test
    public void connectTimeTlsAgainstPlain() throws Exception {
        java.net.InetSocketAddress plain = new java.net.InetSocketAddress(MqttLab.BROKER_ADDR, MqttLab.PORT);
        java.net.InetSocketAddress secure = new java.net.InetSocketAddress(MqttLab.BROKER_ADDR, TlsBroker.PORT);
        List<Double> tcp = new ArrayList<>();
        List<Double> handshake = new ArrayList<>();
        String protocol = "";
        for (int i = 0; i < 25; i++) {
            long start = System.nanoTime();
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(plain, 2000);
                if (i >= 5) {
                    tcp.add((System.nanoTime() - start) / 1e6);
                }
            }
            javax.net.ssl.SSLSocketFactory factory = tls.sockets(OPERATOR);
            start = System.nanoTime();
            try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) factory.createSocket()) {
                s.connect(secure, 2000);
                s.startHandshake();
                protocol = s.getSession().getProtocol();
                if (i >= 5) {
                    handshake.add((System.nanoTime() - start) / 1e6);
                }
            }
        }
        System.out.printf("connect time (median of 20): TCP %.2f ms, TCP + %s handshake with client certificate "
                + "(EC P-256) %.2f ms%n", median(tcp), protocol, median(handshake));
        assertTrue(median(handshake) > median(tcp));
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
