package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * The safety nets of remote management, end to end with the x86-industrial distribution in the lab's gw namespace
 * and Mosquitto in its internet: one message cannot stop what the agent needs, a gateway whose DS runtime is
 * stopped in the shell comes back by itself, and a read-only command policy holds.
 */
public class ProtectionSystemIT {
    static final String DEVICE = ManagementSystemIT.DEVICE;
    static final Duration REPLY = Duration.ofSeconds(10);
    /** The self-check's grace twice (restore, then exit), the restart of every component and the reconnect. */
    static final Duration BACK = Duration.ofSeconds(60);

    @ClassRule
    public static final BrokerLab BROKER = new BrokerLab();
    @Rule
    public final ManagedGateway run = new ManagedGateway(BROKER, "isthmus-protect-");
    @Rule
    public Timeout timeout = Timeout.seconds(240);

    GatewayProcess gateway;

    void startGateway(String document) throws Exception {
        gateway = run.startReady(document, "--shell");
    }

    MqttTestClient client() throws Exception {
        return run.closeAtEnd(MqttTestClient.v5("it-" + UUID.randomUUID(), true));
    }

    MqttTestClient watcher() throws Exception {
        MqttTestClient w = client();
        w.subscribe("isthmus/v1/" + DEVICE + "/state");
        assertTrue("gateway online:\n" + gateway.transcript(), Lab.within(ManagementSystemIT.ONLINE,
                () -> ManagementSystemIT.online(w)) >= 0);
        return w;
    }

    boolean exited() {
        try {
            return gateway.awaitExit(Duration.ZERO).isPresent();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    JsonNode call(MqttTestClient c, String command, Map<String, Object> request) throws Exception {
        return c.request(DEVICE, command, request, REPLY);
    }

    @Test
    public void oneMessageCannotStopWhatTheAgentNeeds() throws Exception {
        startGateway(ManagementSystemIT.GOOD);
        watcher();
        MqttTestClient c = client();
        JsonNode notActive = call(c, "status", Map.of()).at("/body/bundles/notActive");

        for (String bundle : List.of("org.apache.felix.scr", "org.apache.felix.log", "io.isthmus.linux")) {
            JsonNode stop = call(c, "bundle.stop", Map.of("bundle", bundle));
            assertEquals(stop.toString(), 409, stop.path("status").asInt());
            assertEquals(stop.toString(), "refused", stop.at("/error/code").asText());
            assertTrue(stop.toString(), stop.at("/error/message").asText().startsWith(bundle + " is needed by "));
        }
        JsonNode scr = call(c, "bundle.stop", Map.of("bundle", "org.apache.felix.scr"));
        assertTrue(scr.toString(), scr.at("/error/message").asText().contains("Declarative Services runtime"));
        JsonNode applier = call(c, "bundle.stop", Map.of("bundle", "io.isthmus.routing"));
        assertEquals(applier.toString(), 409, applier.path("status").asInt());
        JsonNode uninstall = call(c, "bundle.uninstall", Map.of("bundle", "org.apache.felix.scr"));
        assertEquals(uninstall.toString(), 409, uninstall.path("status").asInt());

        // nothing stopped: the agent answers, the same bundles are active
        JsonNode status = call(c, "status", Map.of());
        assertEquals(status.toString(), 200, status.path("status").asInt());
        assertEquals(status.toString(), notActive, status.at("/body/bundles/notActive"));
        // a bundle nothing core needs still stops and starts
        assertEquals("RESOLVED", call(c, "bundle.stop", Map.of("bundle", "io.isthmus.deploy")).at("/body/state")
                .asText());
        assertEquals("ACTIVE", call(c, "bundle.start", Map.of("bundle", "io.isthmus.deploy")).at("/body/state")
                .asText());
    }

    @Test
    public void aDsRuntimeStoppedInTheShellIsStartedAgainAndTheAgentComesBack() throws Exception {
        startGateway(ManagementSystemIT.GOOD);
        MqttTestClient w = watcher();

        gateway.type("stop " + gateway.bundleId("org.apache.felix.scr"));
        assertTrue("the agent went offline with the DS runtime:\n" + gateway.transcript(),
                Lab.within(REPLY, () -> !ManagementSystemIT.online(w)) >= 0);
        long offlineAt = System.nanoTime();
        assertTrue("back online by itself:\n" + gateway.transcript(), Lab.within(BACK, () -> ManagementSystemIT
                .online(w) || exited()) >= 0);
        Optional<Integer> exited = gateway.awaitExit(Duration.ZERO);
        if (exited.isPresent()) { // the other promise: the service manager restarts a gateway that exits non-zero
            assertTrue("exit status " + exited.get(), exited.get() != 0);
            return;
        }
        System.out.printf("[itests] DS runtime stopped in the shell: agent online again after %d ms%n",
                (System.nanoTime() - offlineAt) / 1_000_000);
        assertTrue(gateway.transcript(), gateway.awaitOutput("self-check: started org.apache.felix.scr", REPLY));
        JsonNode status = call(client(), "status", Map.of());
        assertEquals(status.toString(), 200, status.path("status").asInt());
        assertTrue(status.toString(), status.at("/body/management/connected").asBoolean());
    }

    @Test
    public void aGatewayWhoseDsRuntimeCannotBeRestoredExitsNonZeroForTheServiceManager() throws Exception {
        startGateway(ManagementSystemIT.GOOD);
        MqttTestClient w = watcher();

        gateway.type("uninstall " + gateway.bundleId("org.apache.felix.scr"));
        Optional<Integer> exit = gateway.awaitExit(BACK);
        assertEquals("exit status:\n" + gateway.transcript(), Optional.of(70), exit);
        assertTrue(gateway.transcript(), gateway.stderr().stream().anyMatch(l -> l.startsWith("isthmus: self-check: ")
                && l.contains("exiting with status 70 so the service manager restarts the gateway")));
        // the goodbye, or (stopped while reconnecting) the Last Will after its delay
        assertTrue("offline:\n" + gateway.transcript(), Lab.within(REPLY, () -> !ManagementSystemIT.online(w)) >= 0);
    }

    @Test
    public void aReadOnlyGatewayAnswersStatusAndRefusesConfigPutChangingNothing() throws Exception {
        String readOnly = ManagementSystemIT.GOOD.replace("\"keepAliveSeconds\": 5}",
                "\"keepAliveSeconds\": 5, \"commands\": {\"allow\": [\"status\", \"config.get\", \"diag.*\"]}}");
        assertTrue(readOnly.contains("\"commands\""));
        startGateway(readOnly);
        watcher();
        MqttTestClient c = client();

        JsonNode status = call(c, "status", Map.of());
        assertEquals(status.toString(), 200, status.path("status").asInt());
        assertEquals(status.toString(), "[\"status\",\"config.get\",\"diag.*\"]", status.at(
                "/body/management/policy/allow").toString());
        long generation = status.at("/body/generation/number").asLong();
        String eth2 = BROKER.lab().ipText("gw", "addr", "show", "dev", "eth2");
        JsonNode notActive = status.at("/body/bundles/notActive");

        JsonNode document = new ObjectMapper().readTree(ManagementSystemIT.GOOD.replace("10.20.0.1/24",
                "10.21.0.1/24"));
        JsonNode put = call(c, "config.put", Map.of("document", document));
        assertEquals(put.toString(), 403, put.path("status").asInt());
        assertEquals(put.toString(), "forbidden", put.at("/error/code").asText());
        assertTrue(put.toString(), put.at("/error/message").asText().contains("config.put"));
        assertEquals(403, call(c, "bundle.stop", Map.of("bundle", "io.isthmus.deploy")).path("status").asInt());

        // nothing changed: the same generation, the same kernel state, deploy still running
        JsonNode after = call(c, "config.get", Map.of());
        assertEquals(after.toString(), generation, after.at("/body/generation/number").asLong());
        assertEquals(eth2, BROKER.lab().ipText("gw", "addr", "show", "dev", "eth2"));
        assertEquals(notActive, call(c, "status", Map.of()).at("/body/bundles/notActive"));
    }
}
