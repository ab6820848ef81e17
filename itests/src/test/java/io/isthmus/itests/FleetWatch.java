package io.isthmus.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** The test's view of the fleet's broker: every device's latest retained state, and retained commands. */
final class FleetWatch implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final MqttClient client;
    private final Map<String, JsonNode> states = new ConcurrentHashMap<>();

    FleetWatch() throws MqttException {
        client = new MqttClient(FleetNet.BROKER, "fleet-watch-" + UUID.randomUUID(), new MemoryPersistence());
        client.setCallback(new Callback((topic, m) -> {
            try {
                states.put(topic.split("/")[2], JSON.readTree(m.getPayload()));
            } catch (java.io.IOException e) {
                // not a state document
            }
        }));
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        client.connect(o);
        client.subscribe("isthmus/v1/+/state", 1);
    }

    /** Until the device's state says {@code online} as {@code wanted}, published after {@code after}. */
    void await(String device, boolean wanted, Instant after, Duration timeout) throws InterruptedException {
        long ms = Lab.within(timeout, () -> Optional.ofNullable(states.get(device))
                .filter(s -> s.path("online").asBoolean() == wanted)
                .filter(s -> Instant.parse(s.path("time").asText(Instant.EPOCH.toString())).isAfter(after))
                .isPresent());
        if (ms < 0) {
            throw new AssertionError(device + " not online=" + wanted + " within " + timeout + ": "
                    + states.get(device));
        }
    }

    /** The retained message on a topic, if the broker keeps one (asked with a fresh subscription). */
    Optional<String> retained(String topic, Duration wait) throws Exception {
        StringBuilder got = new StringBuilder();
        MqttClient c = new MqttClient(FleetNet.BROKER, "fleet-peek-" + UUID.randomUUID(), new MemoryPersistence());
        try {
            c.setCallback(new Callback((t, m) -> {
                if (m.isRetained()) {
                    synchronized (got) {
                        got.append(new String(m.getPayload(), StandardCharsets.UTF_8));
                    }
                }
            }));
            c.connect();
            c.subscribe(topic, 1);
            Lab.within(wait, () -> {
                synchronized (got) {
                    return got.length() > 0;
                }
            });
            c.disconnect();
        } finally {
            c.close(true);
        }
        synchronized (got) {
            return got.length() == 0 ? Optional.empty() : Optional.of(got.toString());
        }
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect();
        }
        client.close(true);
    }

    /**
     * Hands messages to a listener. One named class, loaded when the watch is made: the itests classes directory
     * may be rebuilt by a concurrent build while a long test runs, and a class first needed late would be gone.
     */
    private static final class Callback implements MqttCallback {
        private final java.util.function.BiConsumer<String, MqttMessage> listener;

        Callback(java.util.function.BiConsumer<String, MqttMessage> listener) {
            this.listener = listener;
        }

        @Override
        public void messageArrived(String topic, MqttMessage m) {
            listener.accept(topic, m);
        }

        @Override
        public void disconnected(MqttDisconnectResponse r) {
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
        }

        @Override
        public void deliveryComplete(IMqttToken t) {
        }

        @Override
        public void connectComplete(boolean reconnect, String uri) {
        }

        @Override
        public void authPacketArrived(int code, MqttProperties p) {
        }
    }
}
