package io.isthmus.mgmt.transport;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What the two Paho clients (mqttv5, mqttv3) have in common but share no type for: a publish that completes a
 * future, and a close that tries a clean DISCONNECT, then forces, then frees the client's threads.
 */
abstract class PahoTransport implements Transport {
    static final long CLOSE_TIMEOUT_MS = 1000;

    /** Completion callbacks of one publish. */
    record Completion(CompletableFuture<Void> future) {
        void ok() {
            future.complete(null);
        }

        void failed(Throwable cause) {
            future.completeExceptionally(cause);
        }
    }

    final Endpoint endpoint;

    PahoTransport(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** Hands a QoS 1 message to Paho; {@code done} is told when the broker acknowledged it or it failed. */
    abstract void send(String topic, byte[] payload, boolean retained, Optional<byte[]> correlation,
            Completion done) throws Exception;

    abstract void disconnect() throws Exception;

    /** A DISCONNECT that keeps the Last Will in force (MQTT 5); a plain one where the protocol has none. */
    abstract void disconnectKeepingWill() throws Exception;

    abstract void disconnectForcibly() throws Exception;

    abstract void closeClient() throws Exception;

    @Override
    public final CompletableFuture<Void> publish(String topic, byte[] payload, boolean retained,
            Optional<byte[]> correlation) {
        Completion done = new Completion(new CompletableFuture<>());
        try {
            send(topic, payload, retained, correlation, done);
        } catch (Exception e) {
            done.failed(e);
        }
        return done.future();
    }

    @Override
    public final String broker() {
        return endpoint.broker();
    }

    @Override
    public final void close() {
        end(this::disconnect);
    }

    @Override
    public final void drop() {
        end(this::disconnectKeepingWill);
    }

    private void end(Quietly.Step disconnect) {
        Quietly.run(() -> {
            if (connected()) {
                disconnect.run();
            }
        });
        Quietly.run(this::disconnectForcibly);
        Quietly.run(this::closeClient);
    }
}
