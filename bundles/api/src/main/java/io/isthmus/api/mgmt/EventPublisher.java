package io.isthmus.api.mgmt;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Publishes events on {@code isthmus/v1/<deviceId>/evt/<type>} at QoS 1 through the management agent's
 * disk-backed outbox: they survive broker outages and restarts. When the outbox is full, the oldest
 * {@link Priority#LOW} events are dropped first (counted and reported).
 */
@ProviderType
public interface EventPublisher {

    enum Priority { LOW, HIGH }

    /**
     * Queues an event; never blocks on the network.
     *
     * @param type a topic level: 1 to 64 of {@code a-z 0-9 . _ -}, e.g. {@code uplink}, {@code config}
     * @param body plain Java values (Map, List, String, Number, Boolean)
     */
    void publish(String type, Map<String, Object> body, Priority priority);
}
