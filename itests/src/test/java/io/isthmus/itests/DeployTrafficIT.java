package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    static final String PROFILE = DeployLab.PROFILE;
    static final String DEVICE = DeployLab.DEVICE;
    static final int PPS = 100;

    @Rule
    public Timeout timeout = Timeout.seconds(240);

    DeployLab env;
    MqttTestClient client;

    @Before
    public void up() throws Exception {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        env = DeployLab.up("deploy-traffic");
        env.startGateway();
        assertTrue("default route via eth0:\n" + env.gateway.transcript(), Lab.within(Duration.ofSeconds(30),
                () -> env.lab.defaultDevice("gw").equals(Optional.of("eth0"))) >= 0);
        client = env.client("it-traffic");
    }

    @After
    public void down() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    @Test
    public void updatingTheFirewallAndTheUplinkBundleLosesNoAllowedPacketPassesNoDeniedOneAndKeepsTheTcpFlow()
            throws Exception {
        Path fw = DeployBundles.rebuiltFromDistribution(PROFILE, "io.isthmus.firewall", "0.1.0.deploy1",
                env.signer, env.work);
        Path up = DeployBundles.rebuiltFromDistribution(PROFILE, "io.isthmus.uplink", "0.1.0.deploy1",
                env.signer, env.work);
        DeployClient deploy = new DeployClient(client, DEVICE);
        int seconds = 16;
        try (DeployStreams streams = new DeployStreams(env.lab, env.work, seconds).start(PPS)) {
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
            DeployStreams.Result r = streams.finish();
            System.out.printf("[deploy] traffic: firewall update %d ms, uplink update %d ms; allowed stream: %d sent, "
                    + "%d lost; denied stream: %d of %d passed; TCP connections: %d%n", took[0], took[1], r.sent(),
                    r.lost(), r.deniedPassed(), r.deniedSent(), r.tcpConnections());
            assertTrue("the stream ran", r.sent() >= PPS * (seconds - 1));
            assertEquals("allowed packets lost during the updates", 0, r.lost());
            assertEquals("denied packets that passed", 0, r.deniedPassed());
            assertEquals("the TCP connection survived (one connect, no reconnect):\n" + streams.echoes(), 1,
                    r.tcpConnections());
            assertTrue(r.echoes() > seconds * 10L);
        }
    }
}
