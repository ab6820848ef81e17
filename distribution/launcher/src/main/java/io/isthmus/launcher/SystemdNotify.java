package io.isthmus.launcher;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The sd_notify protocol: one datagram per message to the AF_UNIX socket systemd names in {@code NOTIFY_SOCKET}
 * ({@code READY=1}, {@code WATCHDOG=1}, {@code STOPPING=1}). Plain Java 17 cannot send AF_UNIX datagrams, so this
 * uses junixsocket (also in the WiFi bundle); the datagram leaves from the JVM itself, which is the unit's main
 * process, so {@code NotifyAccess=main} suffices and there is no attribution race as with a short-lived
 * {@code systemd-notify} child. The kernel attaches our credentials because systemd's socket has SO_PASSCRED.
 */
final class SystemdNotify implements AutoCloseable {
    private final SocketAddress target;
    private final Optional<Duration> watchdog;
    private AFUNIXDatagramSocket socket;

    private SystemdNotify(SocketAddress target, Optional<Duration> watchdog) {
        this.target = target;
        this.watchdog = watchdog;
    }

    /**
     * From the environment systemd gives the service; empty outside systemd (no {@code NOTIFY_SOCKET}). The watchdog
     * interval is {@code WATCHDOG_USEC} when {@code WATCHDOG_PID} is absent or names this process.
     */
    static Optional<SystemdNotify> fromEnvironment(Map<String, String> env, long pid) throws LaunchException {
        String path = env.getOrDefault("NOTIFY_SOCKET", "");
        if (path.isEmpty()) {
            return Optional.empty();
        }
        SocketAddress target;
        try {
            target = path.startsWith("@")
                    ? AFUNIXSocketAddress.of(("\0" + path.substring(1)).getBytes(StandardCharsets.UTF_8))
                    : AFUNIXSocketAddress.of(Path.of(path));
        } catch (IOException | LinkageError e) {
            throw new LaunchException("NOTIFY_SOCKET " + path + ": " + e.getMessage(), e);
        }
        Optional<Duration> watchdog = Optional.empty();
        String usec = env.getOrDefault("WATCHDOG_USEC", "");
        String forPid = env.getOrDefault("WATCHDOG_PID", "");
        if (usec.matches("\\d{1,15}") && Long.parseLong(usec) > 0
                && (forPid.isEmpty() || forPid.equals(Long.toString(pid)))) {
            watchdog = Optional.of(Duration.ofNanos(Long.parseLong(usec) * 1000));
        }
        return Optional.of(new SystemdNotify(target, watchdog));
    }

    /** The interval systemd expects {@code WATCHDOG=1} within, when it set a watchdog for this process. */
    Optional<Duration> watchdog() {
        return watchdog;
    }

    /** Sends one message, e.g. {@code READY=1}; newline-separated assignments. */
    synchronized void send(String message) throws IOException {
        if (socket == null) {
            AFUNIXDatagramSocket s = AFUNIXDatagramSocket.newInstance();
            try {
                s.connect(target);
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
            socket = s;
        }
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        try {
            socket.send(new DatagramPacket(bytes, bytes.length));
        } catch (IOException e) {
            close(); // systemd re-executed and bound a new socket: connect afresh next time
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
