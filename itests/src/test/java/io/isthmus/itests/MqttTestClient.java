package io.isthmus.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An operator's MQTT client, over MQTT 5 (response topic + correlation data) or 3.1.1 ({@code replyTo} and
 * {@code id} in the request): sends commands and waits for replies, and collects what arrives on topics it
 * watches.
 */
abstract class MqttTestClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    record Received(String topic, JsonNode json, boolean retained) {
    }

    /** Nagle off, as the gateway has it: request after request must not wait for delayed ACKs (40 ms). */
    static final javax.net.SocketFactory NO_DELAY = new javax.net.SocketFactory() {
        @Override
        public java.net.Socket createSocket() throws java.io.IOException {
            java.net.Socket s = new java.net.Socket();
            s.setTcpNoDelay(true);
            return s;
        }

        @Override
        public java.net.Socket createSocket(String host, int port) throws java.io.IOException {
            throw new UnsupportedOperationException("Paho creates unconnected sockets");
        }

        @Override
        public java.net.Socket createSocket(String h, int p, java.net.InetAddress l, int lp) {
            throw new UnsupportedOperationException("Paho creates unconnected sockets");
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress host, int port) {
            throw new UnsupportedOperationException("Paho creates unconnected sockets");
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress h, int p, java.net.InetAddress l, int lp) {
            throw new UnsupportedOperationException("Paho creates unconnected sockets");
        }
    };

    /**
     * Where and how a client connects: the lab's open broker, or a TLS broker ({@link TlsBroker}) with a client
     * certificate, whose ACL lets gateways reply only to {@code isthmusctl/+/reply} and lets only operators read
     * there ({@code replies} false: the client does not subscribe to its reply topic).
     */
    record Connection(String uri, javax.net.SocketFactory sockets, String replyTopic, boolean verifyHost,
            boolean replies) {
        static Connection open() {
            return new Connection(MqttLab.BROKER, NO_DELAY, "test/replies/" + UUID.randomUUID(), false, true);
        }
    }

    final String replyTopic;
    final List<Received> received = new CopyOnWriteArrayList<>();
    final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    MqttTestClient(String replyTopic) {
        this.replyTopic = replyTopic;
    }

    static MqttTestClient v5(String clientId, boolean cleanStart) throws Exception {
        return new V5(clientId, cleanStart, Connection.open());
    }

    static MqttTestClient v5(String clientId, boolean cleanStart, Connection connection) throws Exception {
        return new V5(clientId, cleanStart, connection);
    }

    static MqttTestClient v3(String clientId, boolean cleanSession) throws Exception {
        return new V3(clientId, cleanSession);
    }

    abstract void subscribe(String filter) throws Exception;

    abstract void publish(String topic, byte[] payload, Optional<String> correlation) throws Exception;

    abstract boolean usesResponseTopic();

    /** Sends a command to a device and returns its reply (or fails after the timeout). */
    JsonNode request(String device, String command, Map<String, Object> request, Duration timeout) throws Exception {
        String id = UUID.randomUUID().toString();
        java.util.LinkedHashMap<String, Object> body = new java.util.LinkedHashMap<>(request);
        body.putIfAbsent("id", id);
        if (!usesResponseTopic()) {
            body.put("replyTo", replyTopic);
        }
        return requestRaw(device, command, JSON.writeValueAsBytes(body), String.valueOf(body.get("id")), timeout);
    }

    /**
     * The state of a bundle as {@code bundles.list} shows it ({@code ACTIVE}, {@code RESOLVED} …), or {@code ?} when
     * the gateway does not answer within 5 s: for polling after a shell command.
     */
    String bundleState(String device, String symbolicName) {
        try {
            for (JsonNode b : request(device, "bundles.list", Map.of(), Duration.ofSeconds(5)).at("/body/bundles")) {
                if (symbolicName.equals(b.path("symbolicName").asText())) {
                    return b.path("state").asText();
                }
            }
            return "UNINSTALLED";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        } catch (Exception e) {
            return "?";
        }
    }

    JsonNode requestRaw(String device, String command, byte[] payload, String id, Duration timeout)
            throws Exception {
        CompletableFuture<JsonNode> reply = send(device, command, payload, id);
        try {
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            pending.remove(id);
        }
    }

    CompletableFuture<JsonNode> send(String device, String command, byte[] payload, String id) throws Exception {
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        publish("isthmus/v1/" + device + "/cmd/" + command, payload, Optional.of(id));
        return reply;
    }

    void arrived(String topic, byte[] payload, boolean retained, Optional<String> correlation) {
        JsonNode json;
        try {
            json = JSON.readTree(payload);
        } catch (Exception e) {
            json = JSON.getNodeFactory().textNode(new String(payload, StandardCharsets.UTF_8));
        }
        if (topic.equals(replyTopic)) {
            String id = correlation.orElse(json.path("id").asText(""));
            CompletableFuture<JsonNode> f = pending.get(id);
            if (f != null) {
                f.complete(json);
            }
        }
        received.add(new Received(topic, json, retained));
    }

    /**
     * Until the device's retained state says online with a time after {@code after} (every connect publishes a
     * new one), watched with fresh subscriptions: a broker that was just killed has forgotten every session.
     */
    static void awaitOnline(String device, java.time.Instant after) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try (MqttTestClient w = v5("watch-" + UUID.randomUUID(), true)) {
                w.subscribe("isthmus/v1/" + device + "/state");
                long inner = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (System.nanoTime() < inner) {
                    for (Received r : w.on("/state")) {
                        if (r.json().path("online").asBoolean()
                                && java.time.Instant.parse(r.json().path("time").asText()).isAfter(after)) {
                            return;
                        }
                    }
                    Thread.sleep(5); // polling what the subscription collected
                }
            } catch (org.eclipse.paho.mqttv5.common.MqttException brokerNotUpYet) {
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException(device + " not back online");
    }

    List<Received> on(String topicSuffix) {
        return received.stream().filter(r -> r.topic().endsWith(topicSuffix)).toList();
    }

    private static final class V5 extends MqttTestClient {
        private final org.eclipse.paho.mqttv5.client.MqttClient client;

        V5(String clientId, boolean cleanStart, Connection connection) throws Exception {
            super(connection.replyTopic());
            client = new org.eclipse.paho.mqttv5.client.MqttClient(connection.uri(), clientId,
                    new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            var o = new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();
            o.setCleanStart(cleanStart);
            o.setSessionExpiryInterval(cleanStart ? 0L : 3600L);
            o.setAutomaticReconnect(true);
            o.setAutomaticReconnectDelay(1, 1);
            o.setSocketFactory(connection.sockets());
            o.setHttpsHostnameVerificationEnabled(connection.verifyHost());
            client.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
                @Override
                public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse r) {
                }

                @Override
                public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException e) {
                }

                @Override
                public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage m) {
                    var p = m.getProperties();
                    Optional<String> corr = Optional.ofNullable(p == null ? null : p.getCorrelationData())
                            .map(c -> new String(c, StandardCharsets.UTF_8));
                    arrived(topic, m.getPayload(), m.isRetained(), corr);
                }

                @Override
                public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken t) {
                }

                @Override
                public void connectComplete(boolean reconnect, String uri) {
                }

                @Override
                public void authPacketArrived(int c, org.eclipse.paho.mqttv5.common.packet.MqttProperties p) {
                }
            });
            client.connect(o);
            if (connection.replies()) {
                client.subscribe(replyTopic, 1);
            }
        }

        @Override
        void subscribe(String filter) throws Exception {
            client.subscribe(filter, 1);
        }

        @Override
        void publish(String topic, byte[] payload, Optional<String> correlation) throws Exception {
            var m = new org.eclipse.paho.mqttv5.common.MqttMessage(payload);
            m.setQos(1);
            var p = new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
            p.setResponseTopic(replyTopic);
            correlation.ifPresent(c -> p.setCorrelationData(c.getBytes(StandardCharsets.UTF_8)));
            m.setProperties(p);
            client.publish(topic, m);
        }

        @Override
        boolean usesResponseTopic() {
            return true;
        }

        @Override
        public void close() throws Exception {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close(true);
        }
    }

    private static final class V3 extends MqttTestClient {
        private final org.eclipse.paho.client.mqttv3.MqttClient client;

        V3(String clientId, boolean cleanSession) throws Exception {
            super(Connection.open().replyTopic());
            client = new org.eclipse.paho.client.mqttv3.MqttClient(MqttLab.BROKER, clientId,
                    new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
            var o = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
            o.setMqttVersion(org.eclipse.paho.client.mqttv3.MqttConnectOptions.MQTT_VERSION_3_1_1);
            o.setCleanSession(cleanSession);
            o.setAutomaticReconnect(true);
            o.setMaxInflight(1000);
            o.setSocketFactory(NO_DELAY);
            client.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage m) {
                    arrived(topic, m.getPayload(), m.isRetained(), Optional.empty());
                }

                @Override
                public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken t) {
                }
            });
            client.connect(o);
            client.subscribe(replyTopic, 1);
        }

        @Override
        void subscribe(String filter) throws Exception {
            client.subscribe(filter, 1);
        }

        @Override
        void publish(String topic, byte[] payload, Optional<String> correlation) throws Exception {
            client.publish(topic, payload, 1, false);
        }

        @Override
        boolean usesResponseTopic() {
            return false;
        }

        @Override
        public void close() throws Exception {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        }
    }
}
