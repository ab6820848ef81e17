package io.isthmus.api.mgmt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.mgmt.EventPublisher.Priority;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The relay with a recording publisher (the real one is the management agent, tested in mgmt and the itests). */
class EventRelayTest {
    record Published(String type, Map<String, Object> body, Priority priority) {
    }

    static final class Recorder implements EventPublisher {
        final List<Published> seen = new ArrayList<>();

        @Override
        public void publish(String type, Map<String, Object> body, Priority priority) {
            if (!type.matches("[a-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException("bad type " + type);
            }
            seen.add(new Published(type, body, priority));
        }
    }

    @Test
    void eventsRaisedBeforeAPublisherBindsAreDeliveredInOrderWhenItDoes() {
        EventRelay relay = new EventRelay();
        Map<String, Object> body = new HashMap<>();
        body.put("outcome", "failed");
        body.put("previous", null); // nulls are part of an event body
        relay.publish("deploy", body, Priority.HIGH);
        relay.publish("uplink", Map.of("event", "switched"), Priority.LOW);
        body.put("outcome", "changed later"); // the caller reuses its map: what was raised is kept
        assertEquals(2, relay.held());

        Recorder r = new Recorder();
        relay.bind(r);
        assertEquals(List.of("deploy", "uplink"), r.seen.stream().map(Published::type).toList());
        assertEquals("failed", r.seen.get(0).body().get("outcome"));
        assertTrue(r.seen.get(0).body().containsKey("previous"));
        assertEquals(Priority.HIGH, r.seen.get(0).priority());
        assertEquals(0, relay.held());

        relay.publish("deploy", Map.of("n", 3), Priority.LOW);
        assertEquals(3, r.seen.size(), "bound: straight through");
    }

    @Test
    void whileNoneIsBoundTheNewestAreKeptAndTheLossCounted() {
        EventRelay relay = new EventRelay(3);
        for (int i = 0; i < 5; i++) {
            relay.publish("test", Map.of("n", i), Priority.LOW);
        }
        assertEquals(2, relay.dropped());
        Recorder r = new Recorder();
        relay.bind(r);
        assertEquals(List.of(2, 3, 4), r.seen.stream().map(p -> p.body().get("n")).toList());
    }

    @Test
    void unbindingAPublisherThatWasAlreadyReplacedKeepsTheNewOne() {
        EventRelay relay = new EventRelay();
        Recorder old = new Recorder();
        Recorder next = new Recorder();
        relay.bind(old);
        relay.bind(next); // DS binds the replacement before it unbinds the old one
        relay.unbind(old);
        relay.publish("wifi", Map.of(), Priority.HIGH);
        assertEquals(1, next.seen.size());
        relay.unbind(next);
        relay.publish("wifi", Map.of(), Priority.HIGH);
        assertEquals(1, relay.held(), "none bound: kept");
    }

    @Test
    void aHeldEventThePublisherRefusesIsSkippedAndTheRestDelivered() {
        EventRelay relay = new EventRelay();
        relay.publish("Bad Type", Map.of(), Priority.HIGH);
        relay.publish("good", Map.of(), Priority.HIGH);
        Recorder r = new Recorder();
        relay.bind(r);
        assertEquals(List.of("good"), r.seen.stream().map(Published::type).toList());
        assertEquals(1, relay.dropped());
    }
}
