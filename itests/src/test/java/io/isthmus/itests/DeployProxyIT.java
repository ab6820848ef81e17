package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * An HTTPS bundle download through the plant's proxy: the deploy lab's HTTPS server (in this JVM's namespace,
 * {@link DeployLab#HTTPS_ADDR}) is reachable from the gateway only through tinyproxy in the wired ISP
 * ({@link LabProxy}); the document names the proxy, with the MQTT broker in its noProxy list.
 */
public class DeployProxyIT {
    static final String DEVICE = DeployLab.DEVICE;
    static final int PROXY_PORT = 3128;
    static final int HTTPS_PORT = 8443;

    @Rule
    public Timeout timeout = Timeout.seconds(300);

    static DeployLab env;
    static LabProxy proxy;
    static DeployHttps https;
    static DeployClient deploy;

    @BeforeClass
    public static void up() throws Exception {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        env = DeployLab.up("deployproxy");
        https = env.https();
        proxy = LabProxy.create(env.lab);
        proxy.start(PROXY_PORT, List.of(HTTPS_PORT));
        // the proxy's own connections come from the ISP's transit address: route them back through the internet
        Lab.run(List.of("ip", "route", "replace", "172.31.0.0/16", "via", "198.18.0.1"), Duration.ofSeconds(5));
        proxy.dropDirect(DeployLab.HTTPS_ADDR, List.of(HTTPS_PORT));
        ObjectNode doc = (ObjectNode) MqttTestClient.JSON.readTree(ManagementSystemIT.GOOD);
        ((ObjectNode) doc.path("management")).putObject("proxy").put("url", proxy.url(PROXY_PORT))
                .putArray("noProxy").add(MqttLab.BROKER_ADDR);
        env.startGateway(MqttTestClient.JSON.writeValueAsString(doc));
        deploy = new DeployClient(env.client("it-deploy-proxy"), DEVICE);
    }

    @AfterClass
    public static void down() throws Exception {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            if (env != null) {
                env.close();
            }
        }
    }

    @Test
    public void aBundleIsDownloadedOverHttpsThroughTheProxyWhenTheDirectWayIsClosed() throws Exception {
        Path jar = DeployBundles.sign(DeployBundles.good(env.work, "1.0.0"), env.signer, env.work.resolve(
                "signed-proxy.jar"));
        String url = https.put("probe-proxy.jar", jar);
        // the direct way really is closed: curl from the gateway's namespace gets nowhere without the proxy
        Lab.Result direct = env.lab.exec("gw", "curl", "-sk", "-o", "/dev/null", "--max-time", "3", url);
        assertTrue("direct download must fail: " + direct.exit(), direct.exit() != 0);

        String job = DeployClient.job();
        Map<String, Object> r = new LinkedHashMap<>(DeployBundles.describe(jar));
        r.putAll(Map.of("job", job, "bundle", DeployBundles.PROBE, "healthWindowMs", 5000, "source",
                Map.of("url", url)));
        JsonNode accepted = deploy.request("bundle.install", r);
        assertEquals(accepted.toString(), 200, accepted.path("status").asInt());
        JsonNode outcome;
        try {
            outcome = deploy.outcome(job, Duration.ofSeconds(90));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nproxy log:\n" + proxy.logOf(PROXY_PORT) + "\n"
                    + env.gateway.transcript(), e);
        }
        assertEquals(outcome + "\n" + proxy.logOf(PROXY_PORT) + "\n" + env.gateway.transcript(), "committed",
                outcome.path("outcome").asText());
        assertTrue(proxy.logOf(PROXY_PORT), proxy.connects(PROXY_PORT, DeployLab.HTTPS_ADDR + ":" + HTTPS_PORT) >= 1);
    }
}
