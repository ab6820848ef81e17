package io.isthmus.mgmt.transport;

import java.time.Duration;
import java.util.Optional;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** MQTT 5 over Paho's mqttv5 client: response topic and correlation data, a session that outlives the link. */
public final class Mqtt5Transport extends PahoTransport {

    /** MQTT 5 DISCONNECT reason 0x04: the broker keeps the Last Will in force. */
    static final int DISCONNECT_WITH_WILL = 0x04;

    private final MqttAsyncClient client;

    public Mqtt5Transport(Endpoint endpoint, Listener listener) throws MqttException {
        super(endpoint);
        // Memory only: the durable copy of every outgoing message is the Outbox.
        this.client = new MqttAsyncClient(Endpoint.pahoUri(endpoint.broker()), endpoint.clientId(),
                new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                listener.lost(response.getException() != null ? ConnectionErrors.describe(response.getException())
                        : "broker disconnected: reason " + response.getReturnCode()
                                + Optional.ofNullable(response.getReasonString()).map(r -> " " + r).orElse(""));
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
                listener.lost("MQTT error: " + ConnectionErrors.describe(exception));
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                MqttProperties p = message.getProperties();
                listener.arrived(new Incoming(topic, message.getPayload(),
                        Optional.ofNullable(p == null ? null : p.getResponseTopic()),
                        Optional.ofNullable(p == null ? null : p.getCorrelationData())));
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
                // completions arrive through each publish's listener
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                // the Session knows: connect() returned
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
                // no enhanced authentication
            }
        });
    }

    @Override
    public void connect(String subscription, Duration timeout) throws Exception {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(endpoint.sessionExpirySeconds());
        o.setKeepAliveInterval(endpoint.keepAliveSeconds());
        o.setConnectionTimeout(Endpoint.seconds(timeout));
        o.setAutomaticReconnect(false);
        endpoint.username().ifPresent(o::setUserName);
        endpoint.password().ifPresent(p -> o.setPassword(new String(p).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        o.setSocketFactory(endpoint.sockets());
        o.setHttpsHostnameVerificationEnabled(endpoint.secure());
        MqttMessage will = new MqttMessage(endpoint.willPayload());
        will.setQos(1);
        will.setRetained(true);
        o.setWill(endpoint.willTopic(), will);
        if (endpoint.willDelaySeconds() > 0) {
            MqttProperties p = new MqttProperties();
            p.setWillDelayInterval(endpoint.willDelaySeconds());
            o.setWillMessageProperties(p);
        }
        client.connect(o).waitForCompletion(timeout.toMillis());
        IMqttToken sub = client.subscribe(new MqttSubscription(subscription, 1));
        sub.waitForCompletion(timeout.toMillis());
        int[] codes = sub.getReasonCodes();
        if (codes != null && codes.length > 0 && codes[0] > 2) {
            throw new IllegalStateException("the broker refused the subscription to " + subscription + " (reason "
                    + codes[0] + "; an ACL?)");
        }
    }

    @Override
    void send(String topic, byte[] payload, boolean retained, Optional<byte[]> correlation, Completion done)
            throws MqttException {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        m.setRetained(retained);
        correlation.ifPresent(c -> {
            MqttProperties p = new MqttProperties();
            p.setCorrelationData(c);
            m.setProperties(p);
        });
        client.publish(topic, m, null, new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                int[] codes = token.getReasonCodes();
                if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                    done.failed(new BrokerRefused(topic, codes[0]));
                } else {
                    done.ok();
                }
            }

            @Override
            public void onFailure(IMqttToken token, Throwable exception) {
                done.failed(exception);
            }
        });
    }

    @Override
    public boolean connected() {
        return client.isConnected();
    }

    @Override
    void disconnect() throws MqttException {
        client.disconnect(CLOSE_TIMEOUT_MS).waitForCompletion(CLOSE_TIMEOUT_MS);
    }

    @Override
    void disconnectKeepingWill() throws MqttException {
        client.disconnect(CLOSE_TIMEOUT_MS, null, null, DISCONNECT_WITH_WILL, new MqttProperties())
                .waitForCompletion(CLOSE_TIMEOUT_MS);
    }

    @Override
    void disconnectForcibly() throws MqttException {
        client.disconnectForcibly(0, CLOSE_TIMEOUT_MS, false);
    }

    @Override
    void closeClient() throws MqttException {
        client.close(true);
    }
}
