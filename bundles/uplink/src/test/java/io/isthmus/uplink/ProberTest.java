package io.isthmus.uplink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.linux.EchoStream;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Pinger;
import io.isthmus.api.net.Ipv4Address;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TCP and DNS probes on the loopback interface (no ICMP: that is the linux bundle's Pinger). */
@Timeout(10)
class ProberTest {
    static final Ipv4Address LOOPBACK = Ipv4Address.parse("127.0.0.1").orElseThrow();
    /** No ICMP here (that needs the linux bundle): a Pinger that never gets an answer. */
    static final Pinger SILENT = new Pinger() {
        @Override
        public Optional<Duration> ping(Ipv4Address source, Ipv4Address target, int payloadBytes, Duration timeout) {
            return Optional.empty();
        }

        @Override
        public EchoStream stream(Ipv4Address source, Ipv4Address target, int payloadBytes, Duration interval,
                Duration timeout, EchoStream.Outcomes outcomes) throws KernelException {
            throw new KernelException("no ICMP in this test");
        }
    };
    final Prober prober = new Prober(SILENT);

    @Test
    void aDnsQueryForAnARecord() {
        byte[] q = Prober.query(0x1234, "example.test");
        assertArrayEquals(new byte[] {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4,
                't', 'e', 's', 't', 0, 0, 1, 0, 1}, q);
    }

    @Test
    void tcpConnectAnsweredRefusedAnsweredSilenceNot() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertTrue(prober.probe(new ProbeTarget.Tcp("127.0.0.1", server.getLocalPort()), LOOPBACK, 0,
                    Duration.ofMillis(500)).isPresent());
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertTrue(prober.probe(new ProbeTarget.Tcp("127.0.0.1", closed), LOOPBACK, 0, Duration.ofMillis(500))
                .isPresent(), "refused: the path works");
    }

    @Test
    void dnsAnswerWithOurIdCountsSilenceDoesNot() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (DatagramSocket server = new DatagramSocket(new InetSocketAddress(lo, 0))) {
            Thread responder = new Thread(() -> {
                try {
                    byte[] buf = new byte[512];
                    DatagramPacket q = new DatagramPacket(buf, buf.length);
                    server.receive(q);
                    buf[2] |= (byte) 0x80; // QR: a response to the same id
                    server.send(new DatagramPacket(buf, q.getLength(), q.getSocketAddress()));
                } catch (Exception ignored) {
                    // the test is over
                }
            });
            responder.start();
            InetSocketAddress at = new InetSocketAddress(lo, server.getLocalPort());
            assertTrue(Prober.dns(lo, at, "example.test", Duration.ofMillis(1000), System.nanoTime()).isPresent());
            responder.join(1000);
            long start = System.nanoTime();
            assertTrue(Prober.dns(lo, at, "example.test", Duration.ofMillis(200), start).isEmpty(), "no answer");
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos(), "bounded by the timeout");
        }
    }
}
