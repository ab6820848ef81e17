package io.isthmus.mgmt;

import io.isthmus.api.mgmt.EventPublisher.Priority;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Events raised before the management agent knows its broker (drivers report during boot, before the
 * document's management section is applied). Kept in memory, the newest {@code capacity}, until the first
 * document either names a broker (they go to the outbox) or does not (they are dropped); after that this
 * holds nothing.
 */
final class EarlyEvents {
    record Event(String type, byte[] payload, Priority priority) {
    }

    private final int capacity;
    private final Deque<Event> events = new ArrayDeque<>();
    private boolean closed;

    EarlyEvents(int capacity) {
        this.capacity = capacity;
    }

    /** Keeps the event unless the first document has been applied already. */
    synchronized void offer(Event event) {
        if (closed) {
            return;
        }
        if (events.size() == capacity) {
            events.removeFirst();
        }
        events.addLast(event);
    }

    /** What was kept, oldest first; from now on nothing is kept. */
    synchronized List<Event> drain() {
        closed = true;
        List<Event> all = List.copyOf(events);
        events.clear();
        return all;
    }
}
