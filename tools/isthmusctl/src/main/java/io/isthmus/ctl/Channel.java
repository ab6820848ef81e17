package io.isthmus.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * One MQTT 5 session of the CLI: requests go to {@code isthmus/v1/<device>/cmd/<command>} with a response topic of
 * our own and correlation data; retained {@code state} messages list the devices; {@code evt/deploy} events feed
 * bundle jobs. After a lost connection {@link #reconnect} connects again and renews every subscription.
 */
final class Channel implements AutoCloseable, DeployLink {
    static final ObjectMapper JSON = new ObjectMapper();
    private final MqttClient client;
    private final String replyTopic = "isthmusctl/" + UUID.randomUUID() + "/reply";
    private final Map<String, CompletableFuture<JsonNode>> pending = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, JsonNode> states = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final Map<String, java.util.List<java.util.function.Consumer<JsonNode>>> deployListeners =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Set<String> subscriptions = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final MqttConnectionOptions options;

    /** The user name and password, and the TLS sockets of --ca-file/--cert-file/--key-file, if any. */
    record Login(Optional<String> username, Optional<String> password,
            Optional<javax.net.ssl.SSLSocketFactory> tls) {
    }

    Channel(String broker, Login login, Duration timeout) throws MqttException {
        client = new MqttClient(broker, "isthmusctl-" + UUID.randomUUID(), new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException(
                        "disconnected from the broker: " + response)));
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                arrived(topic, message);
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        MqttConnectionOptions o = options = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setConnectionTimeout((int) Math.max(1, timeout.toSeconds()));
        login.username().ifPresent(o::setUserName);
        login.password().ifPresent(p -> o.setPassword(p.getBytes(StandardCharsets.UTF_8)));
        login.tls().ifPresent(o::setSocketFactory); // the host name is still verified (Paho's default)
        client.connect(o);
        client.subscribe(replyTopic, 1);
    }

    @Override
    public JsonNode request(String device, String command, Map<String, Object> body, Duration timeout)
            throws Exception {
        if (!client.isConnected()) {
            throw new IllegalStateException("not connected to the broker");
        }
        return requestOnce(device, command, body, timeout);
    }

    /** The reply of a device to a command; a TimeoutException when none came in time. */
    private JsonNode requestOnce(String device, String command, Map<String, Object> body, Duration timeout)
            throws Exception {
        String id = UUID.randomUUID().toString();
        Map<String, Object> request = new java.util.LinkedHashMap<>(body);
        request.put("id", id);
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        MqttMessage m = new MqttMessage(JSON.writeValueAsBytes(request));
        m.setQos(1);
        MqttProperties p = new MqttProperties();
        p.setResponseTopic(replyTopic);
        p.setCorrelationData(id.getBytes(StandardCharsets.UTF_8));
        m.setProperties(p);
        client.publish("isthmus/v1/" + device + "/cmd/" + command, m);
        try {
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            pending.remove(id);
        }
    }

    /** Every device's retained state, collected until no new one came for a short while (or the timeout). */
    Map<String, JsonNode> devices(Duration timeout) throws Exception {
        client.subscribe("isthmus/v1/+/state", 1);
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = -1;
        while (System.nanoTime() < deadline && seen != states.size()) {
            seen = states.size();
            Thread.sleep(300); // retained messages arrive in a burst right after subscribing
        }
        return new TreeMap<>(states);
    }

    @Override
    public void watchStates(java.util.Collection<String> devices) throws Exception {
        for (String d : devices) {
            subscribe("isthmus/v1/" + d + "/state");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < deadline && !states.keySet().containsAll(devices)) {
            Thread.sleep(20); // retained states follow the SUBACKs at once; a device without one has none
        }
    }

    @Override
    public Optional<JsonNode> state(String device) {
        return Optional.ofNullable(states.get(device));
    }

    @Override
    public AutoCloseable watchDeployEvents(String device, java.util.function.Consumer<JsonNode> listener)
            throws Exception {
        java.util.List<java.util.function.Consumer<JsonNode>> list = deployListeners.computeIfAbsent(device,
                d -> new java.util.concurrent.CopyOnWriteArrayList<>());
        list.add(listener);
        subscribe("isthmus/v1/" + device + "/evt/deploy");
        return () -> list.remove(listener);
    }

    @Override
    public void publishRetained(String device, String command, byte[] payload) throws Exception {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        m.setRetained(true);
        client.publish("isthmus/v1/" + device + "/cmd/" + command, m);
    }

    @Override
    public synchronized boolean reconnect(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        long backoff = 250;
        while (!client.isConnected()) {
            try {
                client.connect(options);
                client.subscribe(replyTopic, 1);
                for (String topic : subscriptions) {
                    client.subscribe(topic, 1);
                }
            } catch (MqttException e) {
                if (System.nanoTime() + backoff * 1_000_000 > deadline) {
                    return false;
                }
                Thread.sleep(backoff); // backoff between connection attempts
                backoff = Math.min(2000, backoff * 2);
            }
        }
        return true;
    }

    private void subscribe(String topic) throws MqttException {
        if (subscriptions.add(topic)) {
            client.subscribe(topic, 1);
        }
    }

    private void arrived(String topic, MqttMessage message) {
        JsonNode json;
        try {
            json = JSON.readTree(message.getPayload());
        } catch (Exception e) {
            return; // not ours to read
        }
        if (topic.equals(replyTopic)) {
            MqttProperties p = message.getProperties();
            String id = p != null && p.getCorrelationData() != null
                    ? new String(p.getCorrelationData(), StandardCharsets.UTF_8) : json.path("id").asText("");
            CompletableFuture<JsonNode> f = pending.get(id);
            if (f != null) {
                f.complete(json);
            }
        } else if (topic.startsWith("isthmus/v1/") && topic.endsWith("/state")) {
            states.put(topic.substring("isthmus/v1/".length(), topic.length() - "/state".length()), json);
        } else if (topic.startsWith("isthmus/v1/") && topic.endsWith("/evt/deploy")) {
            String device = topic.substring("isthmus/v1/".length(), topic.length() - "/evt/deploy".length());
            JsonNode body = json.path("body").isObject() ? json.path("body") : json; // the agent's event envelope
            deployListeners.getOrDefault(device, java.util.List.of()).forEach(l -> l.accept(body));
        }
    }

    static boolean isTimeout(Throwable e) {
        return e instanceof TimeoutException;
    }

    @Override
    public void close() {
        try {
            client.disconnect();
        } catch (MqttException e) {
            // going anyway
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            // closed
        }
    }
}
