package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * Field updates of the firewall and the uplink bundle while traffic flows through the gateway: a numbered UDP
 * stream at 100 packets/s from the DMZ host to the internet (allowed by the ruleset), the same towards the OT host
 * (denied: no conduit from dmz to offline), and a long-lived TCP connection from the DMZ to the internet. The jars are
 * the distribution's own, rebuilt with a new Bundle-Version and signed by a key the gateway trusts.
 */
public class DeployTrafficIT {
    static final String PROFILE = "x86-industrial";
    static final String DEVICE = ManagementSystemIT.DEVICE;
    static final String INTERNET = "203.0.113.10";
    static final String OT_HOST = "10.20.0.10";
    static final Path TOOLS = Distribution.root().resolve("itests/src/test/resources");
    static final int PPS = 100;

    @Rule
    public Timeout timeout = Timeout.seconds(240);

    Lab lab;
    MqttLab mqtt;
    Path work;
    Path state;
    Path signer;
    GatewayProcess gateway;
    MqttTestClient client;
    final List<Process> helpers = new ArrayList<>();

    @Before
    public void up() throws Exception {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        work = Files.createTempDirectory("isthmus-deploy-traffic-");
        state = work.resolve("state");
        signer = DeployBundles.key(Files.createDirectories(work.resolve("keys")), "signer",
                state.resolve("deploy/trusted/signer.pem"));
        lab = Lab.up();
        mqtt = MqttLab.attach(lab);
        mqtt.startBroker();
        Path doc = work.resolve("network.json");
        Files.writeString(doc, ManagementSystemIT.GOOD);
        Instant before = Instant.now();
        gateway = GatewayProcess.start(lab.inNamespace("gw"), PROFILE, Optional.of(doc), state,
                Map.of("ISTHMUS_JAVA_OPTS", "-Disthmus.resolv.conf=" + work.resolve("resolv.conf")));
        assertTrue(gateway.transcript(), gateway.awaitReady(Duration.ofSeconds(60)).isPresent());
        assertTrue("default route via eth0:\n" + gateway.transcript(), Lab.within(Duration.ofSeconds(30),
                () -> lab.defaultDevice("gw").equals(Optional.of("eth0"))) >= 0);
        MqttTestClient.awaitOnline(DEVICE, before);
        client = MqttTestClient.v5("it-traffic-" + UUID.randomUUID(), true);
    }

    @After
    public void down() throws Exception {
        helpers.forEach(Process::destroyForcibly);
        for (AutoCloseable c : new AutoCloseable[] {client, gateway, mqtt, lab}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // best effort
                }
            }
        }
        if (work != null) {
            try (Stream<Path> s = Files.walk(work)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private Process start(String node, Path output, String... argv) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", lab.ns(node)));
        cmd.addAll(List.of(argv));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        helpers.add(p);
        return p;
    }

    /** The distribution's jar of a bundle, rebuilt with another version and signed. */
    private Path rebuilt(String artifact, String version) throws Exception {
        Path dir = Distribution.root().resolve("distribution/target/isthmus-" + PROFILE + "/system/io/isthmus/"
                + artifact);
        Path jar;
        try (Stream<Path> s = Files.walk(dir)) {
            jar = s.filter(p -> p.toString().endsWith(".jar")).findFirst().orElseThrow();
        }
        Path out = DeployBundles.withVersion(jar, version, work.resolve(artifact + "-" + version + ".jar"));
        return DeployBundles.sign(out, signer, work.resolve(artifact + "-" + version + "-signed.jar"));
    }

    @Test
    public void updatingTheFirewallAndTheUplinkBundleLosesNoAllowedPacketPassesNoDeniedOneAndKeepsTheTcpFlow()
            throws Exception {
        Path fw = rebuilt("io.isthmus.firewall", "0.1.0.deploy1");
        Path up = rebuilt("io.isthmus.uplink", "0.1.0.deploy1");
        DeployClient deploy = new DeployClient(client, DEVICE);
        int seconds = 16;
        String stream = TOOLS.resolve("deploy/udp-stream.py").toString();
        Path allowed = work.resolve("allowed.txt");
        Path denied = work.resolve("denied.txt");
        Path sentAllowed = work.resolve("sent-allowed.txt");
        Path sentDenied = work.resolve("sent-denied.txt");
        Path echoes = work.resolve("echoes.txt");
        start("inet", allowed, "python3", stream, "recv", INTERNET, "9100", String.valueOf(seconds + 4));
        start("ot", denied, "python3", stream, "recv", OT_HOST, "9101", String.valueOf(seconds + 4));
        start("inet", work.resolve("socat.txt"), "socat", "TCP-LISTEN:7100,bind=" + INTERNET + ",reuseaddr,fork",
                "EXEC:cat");
        Thread.sleep(300); // let the receivers bind before the first datagram (not a synchronisation of the result)
        Process sendAllowed = start("dmz", sentAllowed, "python3", stream, "send", INTERNET, "9100",
                String.valueOf(PPS), String.valueOf(seconds));
        Process sendDenied = start("dmz", sentDenied, "python3", stream, "send", OT_HOST, "9101",
                String.valueOf(PPS), String.valueOf(seconds));
        Process tcp = start("dmz", echoes, "python3", TOOLS.resolve("uplink/tcp-echo-client.py").toString(),
                INTERNET, "7100", String.valueOf(seconds));
        assertTrue("the flows run", Lab.within(Duration.ofSeconds(4), () -> lines(allowed).size() > 100
                && lines(echoes).stream().anyMatch(l -> l.startsWith("echo"))) >= 0);

        long[] took = new long[2];
        int i = 0;
        for (Path jar : List.of(fw, up)) {
            String bundle = i == 0 ? "io.isthmus.firewall" : "io.isthmus.uplink";
            String job = DeployClient.job();
            long t0 = System.nanoTime();
            assertEquals(200, deploy.inline("bundle.update", job, bundle, jar, 64 * 1024, 10000, Map.of())
                    .path("status").asInt());
            JsonNode outcome = deploy.outcome(job, Duration.ofSeconds(60));
            took[i++] = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(outcome.toString(), "committed", outcome.path("outcome").asText());
            assertEquals("0.1.0.deploy1", deploy.bundle(bundle).orElseThrow().path("version").asText());
        }
        assertTrue(sendAllowed.waitFor(seconds + 10, TimeUnit.SECONDS));
        assertTrue(sendDenied.waitFor(10, TimeUnit.SECONDS));
        assertTrue(tcp.waitFor(10, TimeUnit.SECONDS));
        Thread.sleep(1000); // the last datagrams in flight

        int sent = Integer.parseInt(lines(sentAllowed).get(0).replace("sent ", "").trim());
        Set<String> got = new HashSet<>(lines(allowed));
        long lost = sent - got.size();
        long connections = lines(echoes).stream().filter(l -> l.startsWith("connected")).count();
        System.out.printf("[deploy] traffic: firewall update %d ms, uplink update %d ms; allowed stream: %d sent, "
                + "%d lost; denied stream: %d of %s passed; TCP connections: %d%n", took[0], took[1], sent, lost,
                lines(denied).size(), lines(sentDenied), connections);
        assertEquals("allowed packets lost during the updates", 0, lost);
        assertEquals("denied packets that passed", 0, lines(denied).size());
        assertEquals("the TCP connection survived (one connect, no reconnect):\n" + lines(echoes), 1, connections);
        assertTrue(lines(echoes).stream().filter(l -> l.startsWith("echo")).count() > seconds * 10L);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList()
                    : List.of();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }
}
