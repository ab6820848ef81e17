package io.isthmus.mgmt.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The commit check's probe when the broker refuses the message (an ACL; TlsBrokerIT meets a real one): the reason
 * comes at once and says so, instead of a timeout at the end of the window that blames the MTU. The transport is
 * a stand-in: what a broker answers is covered by the system test.
 */
class BrokerProbeTest {
    static Transport refusing(String why) {
        return new Transport() {
            @Override
            public void connect(String subscription, Duration timeout) {
            }

            @Override
            public CompletableFuture<Void> publish(String topic, byte[] payload, boolean retained,
                    Optional<byte[]> correlation) {
                return CompletableFuture.failedFuture(new BrokerRefused(topic, 0x87));
            }

            @Override
            public boolean connected() {
                return true;
            }

            @Override
            public String broker() {
                return why;
            }

            @Override
            public void close() {
            }

            @Override
            public void drop() {
            }
        };
    }

    @Test
    void aRefusedProbeFailsAtOnceWithTheBrokersReason() throws Exception {
        long start = System.nanoTime();
        Optional<String> failed = new BrokerProbe().roundTrip(refusing("ssl://broker.example.com:8883"),
                "isthmus/v1/gw-1/cmd/.probe", Duration.ofSeconds(10));
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 5000, "not at the end of the window");
        assertEquals(Optional.of("connected to ssl://broker.example.com:8883, but the broker did not take a "
                + "message: the broker refused the message to isthmus/v1/gw-1/cmd/.probe: reason 135 (not "
                + "authorized: does its ACL let this device publish there?)"), failed);
    }
}
