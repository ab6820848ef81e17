package io.isthmus.mgmt.transport;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** One MQTT connection to one broker, over MQTT 5 or 3.1.1. Never reconnects by itself. */
public interface Transport extends AutoCloseable {

    /** A message that arrived; responseTopic and correlation only over MQTT 5. */
    record Incoming(String topic, byte[] payload, Optional<String> responseTopic, Optional<byte[]> correlation) {
    }

    interface Listener {
        void arrived(Incoming message);

        void lost(String why);
    }

    /** Connects (with the Last Will) and subscribes; throws with the reason when it cannot within the timeout. */
    void connect(String subscription, Duration timeout) throws Exception;

    /** QoS 1; completes when the broker acknowledged, exceptionally when it did not. */
    CompletableFuture<Void> publish(String topic, byte[] payload, boolean retained, Optional<byte[]> correlation);

    boolean connected();

    String broker();

    /** Ends the connection at once (a clean DISCONNECT when possible, without the Last Will) and frees its threads. */
    @Override
    void close();

    /**
     * Ends the connection to make another (a reconnect on purpose) and frees its threads. MQTT 5: DISCONNECT with
     * the Last Will, which the broker holds for the will delay: the next connection of the session cancels it, and
     * if none comes in time the state says offline — a clean goodbye here would leave it saying online while the
     * gateway cannot be reached. MQTT 3.1.1 has no will delay: the same as {@link #close}.
     */
    void drop();
}
