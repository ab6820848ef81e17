package io.isthmus.mgmt.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.config.ManagementConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * How the session ends its connections: one it replaces on purpose (a reconnect) keeps its Last Will in force
 * ({@link Transport#drop}: the broker says offline if the next connection does not come within the will delay);
 * the one in force when the session closes (the agent has said goodbye) ends cleanly. The transports are
 * stand-ins that record how they ended; what a broker does with each is covered by ManagementSystemIT and
 * ProtectionSystemIT against Mosquitto.
 */
class SessionTest {
    private final List<String> ended = new CopyOnWriteArrayList<>();
    private int made;

    private Transport transport() {
        String name = "t" + (++made);
        return new Transport() {
            private volatile boolean up;

            @Override
            public void connect(String subscription, Duration timeout) {
                up = true;
            }

            @Override
            public CompletableFuture<Void> publish(String topic, byte[] payload, boolean retained,
                    Optional<byte[]> correlation) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public boolean connected() {
                return up;
            }

            @Override
            public String broker() {
                return name;
            }

            @Override
            public void close() {
                up = false;
                ended.add(name + " closed");
            }

            @Override
            public void drop() {
                up = false;
                ended.add(name + " dropped");
            }
        };
    }

    private Session session() {
        Session session = new Session((endpoint, listener) -> transport(),
                t -> List.of(new Endpoint("tcp://broker:1883", "isthmus-gw-1", ManagementConfig.MQTT_5,
                        Optional.empty(), Optional.empty(), 30, null, "isthmus/v1/gw-1/state", new byte[0], 60, 5)),
                new Session.Listener() {
                    @Override
                    public void connected(Transport transport) {
                    }

                    @Override
                    public void arrived(Transport.Incoming message) {
                    }
                }, new Backoff(Duration.ofMillis(10), Duration.ofMillis(20), () -> 0.0), Duration.ofSeconds(1),
                Clock.systemUTC());
        ManagementConfig config = new ManagementConfig(List.of("tcp://broker:1883"), Optional.of("gw-1"),
                ManagementConfig.MQTT_5, Optional.empty(), Optional.empty(), Optional.empty(), 30,
                ManagementConfig.Tls.none(), ManagementConfig.CommandPolicy.ALL, Optional.empty());
        session.configure(Optional.of(new Session.Target(config, new Topics("gw-1"))));
        return session;
    }

    @Test
    void aReconnectKeepsTheWillOfTheConnectionItReplacesAndTheGoodbyeEndsTheLastCleanly() throws Exception {
        Session session = session();
        List<String> saidGoodbye = new CopyOnWriteArrayList<>();
        try {
            assertTrue(session.awaitConnected(1, Duration.ofSeconds(5)));
            assertEquals("t1", session.transport().orElseThrow().broker());

            assertTrue(session.awaitConnected(session.reconnect(), Duration.ofSeconds(5)));
            assertEquals("t2", session.transport().orElseThrow().broker());
            assertEquals(List.of("t1 dropped"), ended);
        } finally {
            session.close(t -> saidGoodbye.add(t.broker()));
        }
        assertEquals(List.of("t2"), saidGoodbye);
        assertEquals(List.of("t1 dropped", "t2 closed"), ended);
    }

    @Test
    void aGoodbyeThatCouldNotBeSaidLeavesTheWillInForce() throws Exception {
        Session session = session();
        assertTrue(session.awaitConnected(1, Duration.ofSeconds(5)));
        session.close(t -> false);
        assertEquals(List.of("t1 dropped"), ended);
    }
}
