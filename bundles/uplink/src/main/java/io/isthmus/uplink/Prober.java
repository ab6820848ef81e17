package io.isthmus.uplink;

import io.isthmus.api.linux.EchoStream;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Pinger;
import io.isthmus.api.net.Ipv4Address;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs one probe through one uplink: every socket is bound to the uplink's own address, so the routing bundle's
 * {@code from <address>} rule sends it out of that port whichever uplink holds the default route. ICMP goes
 * through the linux bundle's {@link Pinger} (raw sockets), as a long-lived echo stream per target; TCP and DNS are
 * plain Java sockets. A refused TCP connection counts as an answer: the path works, which is what the probe asks.
 */
final class Prober {
    static final int DNS_PORT = 53;
    private final Pinger pinger;

    Prober(Pinger pinger) {
        this.pinger = pinger;
    }

    /**
     * An echo stream to an ICMP target through the uplink's source address, or empty when the target is no ICMP
     * target or its name does not resolve now (then it is probed one echo at a time, as a TCP target is).
     */
    Optional<EchoStream> stream(ProbeTarget target, Ipv4Address source, int payloadBytes, Duration interval,
            Duration timeout, EchoStream.Outcomes outcomes) {
        if (!(target instanceof ProbeTarget.Icmp)) {
            return Optional.empty();
        }
        try {
            Ipv4Address to = Ipv4Address.parse(resolve(target.host()).getHostAddress()).orElseThrow();
            return Optional.of(pinger.stream(source, to, payloadBytes, interval, timeout, outcomes));
        } catch (IOException | KernelException e) {
            return Optional.empty();
        }
    }

    /** The round-trip time, or empty when the target did not answer in time. */
    Optional<Duration> probe(ProbeTarget target, Ipv4Address source, int payloadBytes, Duration timeout) {
        long start = System.nanoTime();
        try {
            InetAddress to = resolve(target.host());
            InetAddress from = InetAddress.getByName(source.toString());
            if (target instanceof ProbeTarget.Icmp) {
                return pinger.ping(source, Ipv4Address.parse(to.getHostAddress()).orElseThrow(), payloadBytes, timeout);
            } else if (target instanceof ProbeTarget.Tcp tcp) {
                return tcp(from, new InetSocketAddress(to, tcp.port()), timeout, start);
            } else if (target instanceof ProbeTarget.Dns dns) {
                return dns(from, new InetSocketAddress(to, DNS_PORT), dns.name(), timeout, start);
            }
            return Optional.empty();
        } catch (IOException | KernelException e) {
            return Optional.empty();
        }
    }

    private static InetAddress resolve(String host) throws IOException {
        for (InetAddress a : InetAddress.getAllByName(host)) {
            if (a instanceof Inet4Address) {
                return a;
            }
        }
        throw new IOException(host + " has no IPv4 address");
    }

    private static Optional<Duration> tcp(InetAddress from, InetSocketAddress to, Duration timeout, long start)
            throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(to, (int) timeout.toMillis());
            return Optional.of(since(start));
        } catch (ConnectException e) {
            return String.valueOf(e.getMessage()).contains("refused") ? Optional.of(since(start)) : Optional.empty();
        } catch (SocketTimeoutException e) {
            return Optional.empty();
        }
    }

    static Optional<Duration> dns(InetAddress from, InetSocketAddress server, String name, Duration timeout,
            long start) throws IOException {
        int id = ThreadLocalRandom.current().nextInt(0x10000);
        byte[] query = query(id, name);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(from, 0))) {
            s.send(new DatagramPacket(query, query.length, server));
            byte[] buf = new byte[512];
            long deadline = start + timeout.toNanos();
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return Optional.empty();
                }
                s.setSoTimeout((int) left);
                DatagramPacket reply = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(reply);
                } catch (SocketTimeoutException e) {
                    return Optional.empty();
                }
                // any answer to our question (even NXDOMAIN) shows the server is reachable
                if (reply.getLength() >= 12 && ((buf[0] & 0xFF) << 8 | (buf[1] & 0xFF)) == id && (buf[2] & 0x80) != 0) {
                    return Optional.of(since(start));
                }
            }
        }
    }

    /** A recursive query for the A record of {@code name}. */
    static byte[] query(int id, String name) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(id >> 8);
        b.write(id);
        b.writeBytes(new byte[] {0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0}); // RD; one question
        for (String label : name.split("\\.")) {
            byte[] l = label.getBytes(StandardCharsets.US_ASCII);
            b.write(l.length);
            b.writeBytes(l);
        }
        b.writeBytes(new byte[] {0, 0, 1, 0, 1}); // root, type A, class IN
        return b.toByteArray();
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
