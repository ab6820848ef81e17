package io.isthmus.mgmt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isthmus.api.mgmt.EventPublisher.Priority;
import org.junit.jupiter.api.Test;

class EarlyEventsTest {
    private static EarlyEvents.Event event(String type) {
        return new EarlyEvents.Event(type, type.getBytes(), Priority.HIGH);
    }

    @Test
    void keepsTheNewestUntilTheFirstDocumentThenNothing() {
        EarlyEvents early = new EarlyEvents(2);
        early.offer(event("a"));
        early.offer(event("b"));
        early.offer(event("c"));
        assertEquals(java.util.List.of("b", "c"), early.drain().stream().map(EarlyEvents.Event::type).toList());
        early.offer(event("d"));
        assertEquals(0, early.drain().size(), "after the first document events go to the outbox or nowhere");
    }
}
