package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * Management through a plant's HTTP proxy, for real: tinyproxy (Debian's) in the wired ISP ({@link LabProxy}) on
 * the only path out (both ISPs drop the gateway's own packets to the broker's TLS and wss ports), the TLS broker
 * of docs/brokers.md ({@link TlsBroker}) behind it, the x86-industrial gateway logging in as gw-a. Three proxies:
 * an open one, one that wants credentials, one that allows only port 443.
 */
public class ProxyIT {
    static final String GW_A = TlsBrokerIT.GW_A;
    static final String OPERATOR = TlsBrokerIT.OPERATOR;
    static final int OPEN = 3128;
    static final int AUTH = 3129;
    static final int STRICT = 3130;
    static final Duration REPLY = Duration.ofSeconds(10);
    static final Duration PUT = ManagementSystemIT.WINDOW.plusSeconds(30);

    @ClassRule
    public static final BrokerLab BROKER = new BrokerLab();
    static TlsBroker tls;
    static LabProxy proxy;
    static Path hosts;

    @Rule
    public final ManagedGateway run = new ManagedGateway(BROKER, "isthmus-proxyit-");
    @Rule
    public Timeout timeout = Timeout.seconds(300);

    @BeforeClass
    public static void brokerAndProxies() throws Exception {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        tls = TlsBroker.start(BROKER.lab(), GW_A, OPERATOR);
        hosts = tls.dir.resolve("hosts");
        Files.writeString(hosts, MqttLab.BROKER_ADDR + " " + TlsBroker.NAME + "\n");
        proxy = LabProxy.create(BROKER.lab());
        proxy.start(OPEN, List.of(TlsBroker.PORT, TlsBroker.WSS_PORT));
        proxy.start(AUTH, List.of(TlsBroker.PORT, TlsBroker.WSS_PORT), "BasicAuth plant s3cret");
        proxy.start(STRICT, List.of(443));
    }

    @AfterClass
    public static void stop() throws Exception {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            if (tls != null) {
                tls.close();
            }
        }
    }

    @Before
    public void onlyThroughTheProxy() throws Exception {
        run.javaOption("-Djdk.net.hosts.file=" + hosts);
        proxy.dropDirect(List.of(TlsBroker.PORT, TlsBroker.WSS_PORT));
    }

    @After
    public void direct() throws Exception {
        proxy.allowDirect();
    }

    /** gw-a's TLS document for {@code brokers}, with {@code management.proxy} when given. */
    static String document(Optional<Map<String, Object>> proxySection, String... brokers) throws Exception {
        ObjectNode doc = (ObjectNode) MqttTestClient.JSON.readTree(TlsBrokerIT.document(tls, tls.dir, brokers));
        proxySection.ifPresent(p -> ((ObjectNode) doc.path("management")).set("proxy",
                MqttTestClient.JSON.valueToTree(p)));
        return MqttTestClient.JSON.writeValueAsString(doc);
    }

    static Optional<Map<String, Object>> via(int port) {
        return Optional.of(Map.of("url", proxy.url(port)));
    }

    MqttTestClient operator() throws Exception {
        return run.closeAtEnd(MqttTestClient.v5(OPERATOR + "-" + UUID.randomUUID(), true, TlsBrokerIT.connectionTo(
                tls, OPERATOR, TlsBroker.PORT)));
    }

    MqttTestClient startOnline(String document) throws Exception {
        GatewayProcess g = run.startReady(document);
        MqttTestClient operator = operator();
        operator.subscribe("isthmus/v1/" + GW_A + "/state");
        assertTrue("gw-a online through the proxy:\n" + g.transcript() + "\nproxy:\n" + proxy.logOf(OPEN),
                Lab.within(Duration.ofSeconds(45), () -> TlsBrokerIT.online(operator, GW_A)) >= 0);
        return operator;
    }

    JsonNode management(MqttTestClient operator) throws Exception {
        JsonNode status = operator.request(GW_A, "status", Map.of(), REPLY);
        assertEquals(status.toString(), 200, status.path("status").asInt());
        return status.at("/body/management");
    }

    JsonNode put(MqttTestClient operator, String document) throws Exception {
        return operator.request(GW_A, "config.put", Map.of("document", MqttTestClient.JSON.readValue(document,
                Map.class)), PUT);
    }

    static void assertRolledBack(JsonNode reply, String... says) {
        assertEquals(reply.toString(), 409, reply.path("status").asInt());
        assertEquals(reply.toString(), "rolled-back", reply.at("/error/code").asText());
        for (String s : says) {
            assertTrue("the reason says \"" + s + "\": " + reply, reply.at("/error/message").asText().contains(s));
        }
    }

    void backOnline(MqttTestClient operator, String broker, String proxyUrl) throws Exception {
        assertTrue("online again within 10 s", Lab.within(Duration.ofSeconds(10), () -> {
            try {
                JsonNode m = management(operator);
                return m.path("connected").asBoolean() && broker.equals(m.path("broker").asText())
                        && proxyUrl.equals(m.path("proxy").asText());
            } catch (Exception | AssertionError e) {
                return false;
            }
        }) >= 0);
    }

    @Test
    public void mqttOverTlsAndWssGoThroughTheProxyAndADocumentWithoutItIsRolledBack() throws Exception {
        MqttTestClient operator = startOnline(document(via(OPEN), TlsBroker.URI));
        JsonNode m = management(operator);
        assertTrue(m.toString(), m.path("connected").asBoolean());
        assertEquals(m.toString(), proxy.url(OPEN), m.path("proxy").asText());
        assertTrue(proxy.logOf(OPEN), proxy.connects(OPEN, TlsBroker.NAME + ":" + TlsBroker.PORT) >= 1);

        // over wss through the proxy: committed, so the 4 KiB probe went through the tunnel both ways
        JsonNode wss = put(operator, document(via(OPEN), TlsBroker.WSS_URI));
        assertEquals("config.put to wss through the proxy: " + wss + "\n" + run.gateway().transcript(), 200,
                wss.path("status").asInt());
        m = management(operator);
        assertEquals(m.toString(), TlsBroker.WSS_URI, m.path("broker").asText());
        assertTrue(proxy.logOf(OPEN), proxy.connects(OPEN, TlsBroker.NAME + ":" + TlsBroker.WSS_PORT) >= 1);

        // the direct way is really closed: the same document without the proxy cannot reach the broker
        long dropped = proxy.dropped();
        JsonNode direct = put(operator, document(Optional.empty(), TlsBroker.WSS_URI));
        assertRolledBack(direct, "management broker not reachable");
        assertTrue("the ISP dropped the gateway's direct attempts", proxy.dropped() > dropped);
        backOnline(operator, TlsBroker.WSS_URI, proxy.url(OPEN));
    }

    @Test
    public void theProxysOwnRefusalIsTheRollbackReasonAndCredentialsFromTheFileAreSent() throws Exception {
        MqttTestClient operator = startOnline(document(via(OPEN), TlsBroker.URI));

        JsonNode noCredentials = put(operator, document(via(AUTH), TlsBroker.URI));
        System.out.println("rollback reason, proxy without credentials: " + noCredentials.at("/error/message"));
        // tinyproxy answers 401 where RFC 9110 says 407
        assertRolledBack(noCredentials, "proxy " + proxy.address() + ":" + AUTH + " answered \"HTTP/1.0 40",
                "to CONNECT " + TlsBroker.NAME + ":" + TlsBroker.PORT, "management.proxy.credentialsFile");
        backOnline(operator, TlsBroker.URI, proxy.url(OPEN));

        JsonNode forbidden = put(operator, document(via(STRICT), TlsBroker.URI));
        System.out.println("rollback reason, proxy that forbids the port: " + forbidden.at("/error/message"));
        assertRolledBack(forbidden, "proxy " + proxy.address() + ":" + STRICT + " answered \"HTTP/1.1 403",
                "the proxy does not allow this destination or port");
        backOnline(operator, TlsBroker.URI, proxy.url(OPEN));

        Path credentials = run.work().resolve("proxy-credentials");
        Files.writeString(credentials, "plant:s3cret\n");
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
        JsonNode withCredentials = put(operator, document(Optional.of(Map.of("url", proxy.url(AUTH),
                "credentialsFile", credentials.toString())), TlsBroker.URI));
        assertEquals(withCredentials.toString(), 200, withCredentials.path("status").asInt());
        assertEquals(proxy.url(AUTH), management(operator).path("proxy").asText());
        assertTrue("the password is never echoed", !management(operator).toString().contains("s3cret"));
    }

    /**
     * A broker in noProxy is reached directly (the lab's open broker on plain MQTT, whose port is not dropped); the
     * proxied TLS broker before it fails with the proxy's answer, which status shows as lastError.
     */
    @Test
    public void aBrokerInNoProxyIsReachedDirectlyAndTheProxysAnswerIsTheLastError() throws Exception {
        run.startReady(document(Optional.of(Map.of("url", proxy.url(AUTH), "noProxy", List.of(
                MqttLab.BROKER_ADDR))), TlsBroker.URI, MqttLab.BROKER));
        MqttTestClient operator = run.closeAtEnd(MqttTestClient.v5("it-" + UUID.randomUUID(), true));
        operator.subscribe("isthmus/v1/" + GW_A + "/state");
        assertTrue("gw-a online through the open broker:\n" + run.gateway().transcript(),
                Lab.within(Duration.ofSeconds(45), () -> TlsBrokerIT.online(operator, GW_A)) >= 0);
        JsonNode m = operator.request(GW_A, "status", Map.of(), REPLY).at("/body/management");
        assertEquals(m.toString(), MqttLab.BROKER, m.path("broker").asText());
        assertTrue("no proxy for this broker: " + m, m.path("proxy").isNull());
        String error = m.path("lastError").asText();
        System.out.println("lastError, proxy without credentials: " + error);
        assertTrue(error, error.startsWith(TlsBroker.URI + ": proxy " + proxy.address() + ":" + AUTH
                + " answered \"HTTP/1.0 40"));
    }

    @Test
    public void theServiceEnvironmentsProxyIsUsedAndTheDocumentsWins() throws Exception {
        run.environment("https_proxy", proxy.url(OPEN));
        run.environment("no_proxy", "localhost,127.0.0.1");
        MqttTestClient operator = startOnline(document(Optional.empty(), TlsBroker.URI));
        assertEquals(proxy.url(OPEN), management(operator).path("proxy").asText());

        // the document's proxy wins over the environment's: this one forbids the port, so it is rolled back
        JsonNode strict = put(operator, document(via(STRICT), TlsBroker.URI));
        assertRolledBack(strict, "proxy " + proxy.address() + ":" + STRICT + " answered \"HTTP/1.1 403");
        backOnline(operator, TlsBroker.URI, proxy.url(OPEN));
    }

    /**
     * The figure in docs/benchmarks.md: TCP connect and TLS handshake (client certificate, as the gateway logs in)
     * from the gateway's namespace to the broker, direct against through the proxy; curl's own timers, median of
     * 20 after 5 warm-ups. The gateway runs (it owns the addresses); the direct path is opened for this.
     */
    @Test
    public void connectTimeDirectAgainstThroughTheProxy() throws Exception {
        startOnline(document(via(OPEN), TlsBroker.URI));
        proxy.allowDirect();
        double[] direct = curlTimes(Optional.empty());
        double[] proxied = curlTimes(Optional.of(proxy.url(OPEN)));
        System.out.printf("connect time to the TLS broker (median of 20, curl in gw): direct TCP %.2f ms, TCP + TLS "
                + "%.2f ms; through the proxy TCP %.2f ms, TCP + CONNECT + TLS %.2f ms%n", direct[0], direct[1],
                proxied[0], proxied[1]);
        assertTrue(proxied[1] > 0 && direct[1] > 0);
    }

    /** Medians in ms of curl's time_connect and time_appconnect (TLS done). */
    double[] curlTimes(Optional<String> via) throws Exception {
        List<Double> connect = new ArrayList<>();
        List<Double> handshake = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-o", "/dev/null", "--max-time", "5",
                    "--cacert", tls.dir.resolve("ca.pem").toString(), "--cert", tls.dir.resolve(GW_A + ".pem")
                            .toString(), "--key", tls.dir.resolve(GW_A + ".key").toString(), "--resolve",
                    TlsBroker.NAME + ":" + TlsBroker.PORT + ":" + MqttLab.BROKER_ADDR, "-w",
                    "%{time_connect} %{time_appconnect}"));
            via.ifPresent(p -> cmd.addAll(List.of("--proxy", p)));
            cmd.add("https://" + TlsBroker.NAME + ":" + TlsBroker.PORT + "/");
            // the broker hangs up on an HTTP request after the handshake: curl fails, its timers are still right
            Lab.Result r = BROKER.lab().exec("gw", cmd.toArray(String[]::new));
            String[] t = r.out().trim().split(" ");
            assertTrue("curl " + cmd + ": " + r.out() + r.err(), t.length == 2 && Double.parseDouble(t[1]) > 0);
            if (i >= 5) {
                connect.add(Double.parseDouble(t[0]) * 1000);
                handshake.add(Double.parseDouble(t[1]) * 1000);
            }
        }
        return new double[] {TlsBrokerIT.median(connect), TlsBrokerIT.median(handshake)};
    }
}
