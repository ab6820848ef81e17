package io.isthmus.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What a deploy job needs from the broker connection: request/reply, the devices' retained state, their
 * {@code evt/deploy} events, retained requests for offline devices, and a way back after a lost connection.
 * {@link Channel} is the MQTT one; unit tests use an in-memory fake gateway.
 */
interface DeployLink {
    /** The device's reply; a TimeoutException when none came, another exception when the connection is gone. */
    JsonNode request(String device, String command, Map<String, Object> body, Duration timeout) throws Exception;

    /** Starts following these devices' retained state; returns once the broker had a moment to send it. */
    void watchStates(Collection<String> devices) throws Exception;

    /** The device's latest retained state, if the broker has one. */
    Optional<JsonNode> state(String device);

    /** Hands every {@code evt/deploy} event body of the device to the listener until the handle is closed. */
    AutoCloseable watchDeployEvents(String device, Consumer<JsonNode> listener) throws Exception;

    /** Publishes a retained request to {@code cmd/<command>}; an empty payload clears it. */
    void publishRetained(String device, String command, byte[] payload) throws Exception;

    /** After a lost connection: connects again (with backoff) within the time given; true when connected. */
    boolean reconnect(Duration within) throws InterruptedException;

    default boolean online(String device) {
        return state(device).map(s -> s.path("online").asBoolean(false)).orElse(false);
    }
}
