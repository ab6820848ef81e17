package io.isthmus.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.launch.Framework;

/** sd_notify over a real AF_UNIX datagram socket bound by the test, as systemd's notify socket is. */
class SystemdNotifyTest {
    @TempDir
    Path dir;

    @Test
    void noNotifySocketMeansNotUnderSystemd() throws Exception {
        assertEquals(Optional.empty(), SystemdNotify.fromEnvironment(Map.of(), 42));
    }

    @Test
    void watchdogIntervalOnlyForThisProcess() throws Exception {
        String socket = dir.resolve("notify").toString();
        assertEquals(Optional.of(Duration.ofSeconds(20)), SystemdNotify.fromEnvironment(
                Map.of("NOTIFY_SOCKET", socket, "WATCHDOG_USEC", "20000000", "WATCHDOG_PID", "42"), 42).get()
                .watchdog());
        assertEquals(Optional.empty(), SystemdNotify.fromEnvironment(
                Map.of("NOTIFY_SOCKET", socket, "WATCHDOG_USEC", "20000000", "WATCHDOG_PID", "7"), 42).get()
                .watchdog());
        assertEquals(Optional.empty(), SystemdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", socket), 42).get()
                .watchdog());
    }

    @Test
    void sendsDatagramsToPathSocket() throws Exception {
        Path path = dir.resolve("notify");
        try (AFUNIXDatagramSocket systemd = AFUNIXDatagramSocket.newInstance()) {
            systemd.bind(AFUNIXSocketAddress.of(path));
            systemd.setSoTimeout(5000);
            try (SystemdNotify notify = SystemdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", path.toString()), 1)
                    .get()) {
                notify.send("READY=1\nSTATUS=ready: 3 bundles active in 10 ms");
            }
            assertEquals("READY=1\nSTATUS=ready: 3 bundles active in 10 ms", receive(systemd));
        }
    }

    @Test
    void sendsToAbstractSocket() throws Exception {
        String name = "isthmus-notify-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (AFUNIXDatagramSocket systemd = AFUNIXDatagramSocket.newInstance()) {
            systemd.bind(AFUNIXSocketAddress.inAbstractNamespace(name));
            systemd.setSoTimeout(5000);
            try (SystemdNotify notify = SystemdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", "@" + name), 1)
                    .get()) {
                notify.send("WATCHDOG=1");
            }
            assertEquals("WATCHDOG=1", receive(systemd));
        }
    }

    /**
     * The watchdog is fed only when the registered liveness check answers empty; without one, or with a problem,
     * nothing is sent and the reason is printed once.
     */
    @Test
    void watchdogFedOnlyWhenRuntimeAnswersAlive() throws Exception {
        Path path = dir.resolve("notify");
        Framework framework = new FrameworkFactory().newFramework(Map.of(Constants.FRAMEWORK_STORAGE,
                dir.resolve("cache").toString()));
        framework.start();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try (AFUNIXDatagramSocket systemd = AFUNIXDatagramSocket.newInstance();
                SystemdNotify notify = SystemdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", path.toString()), 1)
                        .get();
                LivenessWatchdog watchdog = new LivenessWatchdog(framework.getBundleContext(), notify,
                        new PrintStream(errBytes, true, StandardCharsets.UTF_8))) {
            systemd.bind(AFUNIXSocketAddress.of(path));
            assertEquals(Optional.of("no liveness check registered (runtime bundle not active)"), watchdog.check());

            Hashtable<String, Object> props = new Hashtable<>();
            props.put(LivenessWatchdog.PROPERTY, true);
            String[] answer = {"deadlocked threads: a, b"};
            ServiceRegistration<?> reg = framework.getBundleContext().registerService(Callable.class.getName(),
                    (Callable<String>) () -> answer[0], props);
            assertEquals(Optional.of("deadlocked threads: a, b"), watchdog.check());

            watchdog.start(Duration.ofMillis(200));
            systemd.setSoTimeout(300);
            assertTrue(receiveOrEmpty(systemd).isEmpty(), "no WATCHDOG=1 while the runtime reports a problem");
            answer[0] = "";
            systemd.setSoTimeout(5000);
            assertEquals("WATCHDOG=1", receive(systemd));
            reg.unregister();
            assertTrue(errBytes.toString(StandardCharsets.UTF_8)
                    .contains("isthmus: watchdog: not alive, watchdog not fed: deadlocked threads: a, b"));
        } finally {
            framework.stop();
            framework.waitForStop(5000);
        }
    }

    private static String receive(AFUNIXDatagramSocket socket) throws Exception {
        byte[] buf = new byte[4096];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }

    private static Optional<String> receiveOrEmpty(AFUNIXDatagramSocket socket) throws Exception {
        try {
            return Optional.of(receive(socket));
        } catch (java.net.SocketTimeoutException e) {
            return Optional.empty();
        }
    }
}
