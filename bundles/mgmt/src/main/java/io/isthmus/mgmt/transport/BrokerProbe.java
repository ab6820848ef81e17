package io.isthmus.mgmt.transport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The commit check's proof that management works through a new document: a message of full-segment size sent to
 * the gateway's own probe topic must come back through the broker, both directions, within the time left.
 */
public final class BrokerProbe {
    /** Larger than one 1500-byte segment both ways: a path that only passes small packets fails. */
    static final int SIZE = 4096;

    private final Map<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();

    /** Empty when the message came back in time; otherwise why not. */
    public Optional<String> roundTrip(Transport transport, String topic, Duration timeout) throws InterruptedException {
        String nonce = UUID.randomUUID().toString();
        byte[] payload = payload(nonce);
        CompletableFuture<Void> back = new CompletableFuture<>();
        pending.put(nonce, back);
        try {
            CompletableFuture<Void> sent = transport.publish(topic, payload, false, Optional.empty());
            // a refused message never comes back: say why now, not when the window ends
            sent.whenComplete((ok, failed) -> {
                if (failed != null) {
                    back.completeExceptionally(failed);
                }
            });
            CompletableFuture.allOf(sent, back).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return Optional.empty();
        } catch (TimeoutException e) {
            return Optional.of("connected to " + transport.broker() + ", but a " + SIZE + "-byte message did not "
                    + "come back through the broker within " + timeout.toMillis() / 1000.0 + " s (an MTU or a proxy "
                    + "that passes only small packets? over MQTT 3.1.1, a broker ACL that drops it?)");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            return Optional.of("connected to " + transport.broker() + ", but the broker did not take a message: "
                    + ConnectionErrors.describe(cause));
        } finally {
            pending.remove(nonce);
        }
    }

    /** True when the message was one of ours (then nobody else should see it). */
    public boolean arrived(Transport.Incoming message) {
        if (!message.topic().endsWith("/cmd/.probe")) {
            return false;
        }
        byte[] p = message.payload();
        int end = Math.min(p.length, 36);
        CompletableFuture<Void> waiting = pending.get(new String(p, 0, end, StandardCharsets.US_ASCII));
        if (waiting != null && p.length == SIZE) {
            waiting.complete(null);
        }
        return true;
    }

    private static byte[] payload(String nonce) {
        byte[] p = new byte[SIZE];
        Arrays.fill(p, (byte) ' ');
        byte[] n = nonce.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, p, 0, n.length);
        return p;
    }
}
