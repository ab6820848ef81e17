package io.isthmus.api.mgmt;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The events of a component whose {@link EventPublisher} reference is optional (every publisher's: the management
 * agent may start after it, or be updated while it runs). Forwards to the bound publisher; while none is bound it
 * keeps the newest {@code capacity} events and delivers them, in order, as soon as one binds. So an outcome
 * decided in a constructor or activate method (before DS binds anything) still reaches {@code evt/<type>}.
 *
 * <p>Use from DS reference methods: {@code @Reference(cardinality = OPTIONAL, policy = DYNAMIC) void
 * bindEvents(EventPublisher p) { events.bind(p); }} and {@code void unbindEvents(EventPublisher p) {
 * events.unbind(p); }}. Thread-safe; holds no static state.
 */
@ProviderType
public final class EventRelay implements EventPublisher {
    /** What a component keeps unless it says otherwise. */
    public static final int DEFAULT_CAPACITY = 256;

    private record Held(String type, Map<String, Object> body, Priority priority) {
    }

    private final int capacity;
    private final Deque<Held> held = new ArrayDeque<>();
    private EventPublisher publisher;
    private long dropped;

    public EventRelay() {
        this(DEFAULT_CAPACITY);
    }

    public EventRelay(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Publishes through the bound publisher, or keeps the event until one binds (the oldest kept one goes when
     * full). An event type the publisher refuses throws as {@link EventPublisher#publish} does; while held, the
     * type is checked on delivery (and a refused one is skipped).
     */
    @Override
    public synchronized void publish(String type, Map<String, Object> body, Priority priority) {
        if (publisher != null) {
            publisher.publish(type, body, priority);
            return;
        }
        if (held.size() == capacity) {
            held.removeFirst();
            dropped++;
        }
        // a copy, in the caller's order and with its nulls: the caller may reuse its map
        held.addLast(new Held(type, Collections.unmodifiableMap(new LinkedHashMap<>(body)), priority));
    }

    /** A publisher arrived: what was kept goes to it first, oldest first. */
    public synchronized void bind(EventPublisher p) {
        publisher = p;
        while (!held.isEmpty()) {
            Held h = held.removeFirst();
            try {
                p.publish(h.type(), h.body(), h.priority());
            } catch (RuntimeException refused) {
                dropped++; // a bad type: the component hears nothing back at this point, and the rest still goes
            }
        }
    }

    /** The publisher went (DS may bind its replacement first: only the one bound now is forgotten). */
    public synchronized void unbind(EventPublisher p) {
        if (publisher == p) {
            publisher = null;
        }
    }

    /** The publisher bound now, if any. */
    public synchronized Optional<EventPublisher> publisher() {
        return Optional.ofNullable(publisher);
    }

    /** Events kept now, waiting for a publisher. */
    public synchronized int held() {
        return held.size();
    }

    /** Events lost: pushed out while waiting, or refused on delivery. */
    public synchronized long dropped() {
        return dropped;
    }
}
