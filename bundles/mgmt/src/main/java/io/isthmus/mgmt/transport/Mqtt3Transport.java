package io.isthmus.mgmt.transport;

import java.time.Duration;
import java.util.Optional;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * MQTT 3.1.1 over Paho's mqttv3 client, for brokers without MQTT 5: requests name their reply topic in
 * {@code replyTo}, so no correlation data travels with a publish.
 */
public final class Mqtt3Transport extends PahoTransport {
    private static final int MAX_INFLIGHT = 100;

    private final MqttAsyncClient client;

    public Mqtt3Transport(Endpoint endpoint, Listener listener) throws MqttException {
        super(endpoint);
        this.client = new MqttAsyncClient(Endpoint.pahoUri(endpoint.broker()), endpoint.clientId(),
                new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                listener.lost(ConnectionErrors.describe(cause));
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                listener.arrived(new Incoming(topic, message.getPayload(), Optional.empty(), Optional.empty()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // completions arrive through each publish's listener
            }
        });
    }

    @Override
    public void connect(String subscription, Duration timeout) throws Exception {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(false);
        o.setKeepAliveInterval(endpoint.keepAliveSeconds());
        o.setConnectionTimeout(Endpoint.seconds(timeout));
        o.setAutomaticReconnect(false);
        o.setMaxInflight(MAX_INFLIGHT);
        endpoint.username().ifPresent(o::setUserName);
        endpoint.password().ifPresent(o::setPassword);
        o.setSocketFactory(endpoint.sockets());
        o.setHttpsHostnameVerificationEnabled(endpoint.secure());
        o.setWill(endpoint.willTopic(), endpoint.willPayload(), 1, true);
        client.connect(o).waitForCompletion(timeout.toMillis());
        IMqttToken sub = client.subscribe(subscription, 1);
        sub.waitForCompletion(timeout.toMillis());
        int[] granted = sub.getGrantedQos();
        if (granted != null && granted.length > 0 && granted[0] == 0x80) {
            throw new IllegalStateException("the broker refused the subscription to " + subscription + " (an ACL?)");
        }
    }

    @Override
    void send(String topic, byte[] payload, boolean retained, Optional<byte[]> correlation, Completion done)
            throws MqttException {
        client.publish(topic, payload, 1, retained, null, new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                done.ok();
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

    /** 3.1.1 has no will delay: a will sent now would say offline for every reconnect. */
    @Override
    void disconnectKeepingWill() throws MqttException {
        disconnect();
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
