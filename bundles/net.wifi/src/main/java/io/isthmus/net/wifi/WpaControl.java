package io.isthmus.net.wifi;

import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Consumer;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * One connection to a wpa_supplicant control socket ({@code <ctrlDir>/<ifname>}, AF_UNIX datagram): a request is
 * one datagram, its reply one datagram. Plain Java cannot open datagram Unix sockets, so this uses junixsocket
 * (JNI, its library is extracted from the bundle and loaded by absolute path). The client binds to a random name
 * in the abstract namespace: no file to clean up, and wpa_supplicant answers to whatever address asked.
 * A monitor connection ({@link #attach}) receives events ({@code <3>CTRL-EVENT-...}) on a thread of its own.
 */
final class WpaControl implements Closeable {
    private static final int MAX_DATAGRAM = 64 * 1024;

    private final AFUNIXDatagramSocket socket;
    private final Duration timeout;
    private volatile Thread reader;

    private WpaControl(AFUNIXDatagramSocket socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    /** Connects; fails when no wpa_supplicant listens on {@code path}. */
    static WpaControl open(Path path, Duration timeout) throws IOException {
        AFUNIXDatagramSocket socket = AFUNIXDatagramSocket.newInstance();
        try {
            socket.bind(AFUNIXSocketAddress.inAbstractNamespace("isthmus-wpa-" + UUID.randomUUID()));
            socket.connect(AFUNIXSocketAddress.of(path));
            socket.setSoTimeout((int) timeout.toMillis());
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        return new WpaControl(socket, timeout);
    }

    /**
     * Sends a command and returns its reply (e.g. {@code OK\n}, {@code FAIL\n}, STATUS lines). Unsolicited
     * events that arrive in between are skipped: a request connection is never attached.
     */
    synchronized String request(String command) throws IOException {
        byte[] out = command.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(out, out.length));
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] in = new byte[MAX_DATAGRAM];
        while (true) {
            DatagramPacket reply = new DatagramPacket(in, in.length);
            try {
                socket.receive(reply);
            } catch (SocketTimeoutException e) {
                throw new IOException("no reply to " + WpaCommands.verb(command) + " within " + timeout.toMillis()
                        + " ms");
            }
            String text = new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
            if (!WpaReplies.isEvent(text)) {
                return text;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("no reply to " + WpaCommands.verb(command));
            }
        }
    }

    /** Like {@link #request}, but a {@code FAIL} reply is an error. */
    String ok(String command) throws IOException {
        String reply = request(command);
        if (reply.startsWith("FAIL") || reply.startsWith("UNKNOWN COMMAND")) {
            throw new IOException(WpaCommands.verb(command) + ": " + reply.strip());
        }
        return reply;
    }

    /** Turns this connection into a monitor: ATTACH, then every event goes to {@code events}, until closed. */
    void attach(String name, Consumer<String> events, Consumer<IOException> ended) throws IOException {
        ok("ATTACH");
        Thread t = new Thread(() -> {
            byte[] in = new byte[MAX_DATAGRAM];
            while (!socket.isClosed()) {
                DatagramPacket msg = new DatagramPacket(in, in.length);
                try {
                    socket.receive(msg);
                    String text = new String(msg.getData(), 0, msg.getLength(), StandardCharsets.UTF_8);
                    if (WpaReplies.isEvent(text)) {
                        events.accept(text);
                    }
                } catch (SocketTimeoutException idle) {
                    // just a wake-up to check for close
                } catch (IOException e) {
                    if (!socket.isClosed()) {
                        ended.accept(e);
                    }
                    return;
                }
            }
        }, name);
        t.setDaemon(true);
        reader = t;
        t.start();
    }

    boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() {
        socket.close();
        Thread t = reader;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(timeout.toMillis() * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
