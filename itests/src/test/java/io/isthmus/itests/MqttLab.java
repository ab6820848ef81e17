package io.isthmus.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * MQTT in the lab: a Mosquitto broker (Debian's) on 203.0.113.10 in the {@code inet} namespace, and a veth from
 * {@code inet} into this test JVM's own (private) network namespace, so that Paho clients in the test reach the
 * broker exactly as an operator on the internet would. Nothing touches the host's network.
 */
final class MqttLab implements AutoCloseable {
    static final String BROKER_ADDR = "203.0.113.10";
    static final int PORT = 1883;
    static final String BROKER = "tcp://" + BROKER_ADDR + ":" + PORT;
    private static final String INET_SIDE = "198.18.0.1";
    private static final String JVM_SIDE = "198.18.0.2";

    private final Lab lab;
    private final Path dir;
    private final String jvmLink;
    private Process broker;

    private MqttLab(Lab lab, Path dir) {
        this.lab = lab;
        this.dir = dir;
        this.jvmLink = "tj" + lab.id;
    }

    /** Links this JVM's namespace to the lab's internet and writes the broker configuration. */
    static MqttLab attach(Lab lab) throws IOException, InterruptedException {
        MqttLab m = new MqttLab(lab, Files.createTempDirectory("isthmus-mqtt-"));
        // mosquitto started as root drops to its own user: it must be able to write its database here
        Files.setPosixFilePermissions(m.dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        String pid = String.valueOf(ProcessHandle.current().pid());
        String inetLink = "ti" + lab.id;
        m.ok(List.of("ip", "link", "add", inetLink, "netns", lab.ns("inet"), "type", "veth", "peer", "name",
                m.jvmLink, "netns", pid));
        m.ok(List.of("ip", "-n", lab.ns("inet"), "addr", "add", INET_SIDE + "/30", "dev", inetLink));
        m.ok(List.of("ip", "-n", lab.ns("inet"), "link", "set", inetLink, "up"));
        m.ok(List.of("ip", "link", "set", "lo", "up"));
        m.ok(List.of("ip", "addr", "add", JVM_SIDE + "/30", "dev", m.jvmLink));
        m.ok(List.of("ip", "link", "set", m.jvmLink, "up"));
        m.ok(List.of("ip", "route", "replace", BROKER_ADDR + "/32", "via", INET_SIDE));
        Files.writeString(m.dir.resolve("mosquitto.conf"), String.join("\n",
                "listener " + PORT + " " + BROKER_ADDR,
                "allow_anonymous true",
                // persistent sessions survive a broker restart: the test's subscribers miss nothing
                "persistence true",
                "persistence_location " + m.dir + "/",
                "max_queued_messages 0",
                "max_inflight_messages 0",
                "set_tcp_nodelay true",
                "log_dest stdout",
                "") + "\n");
        return m;
    }

    void startBroker() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(lab.inNamespace("inet"));
        cmd.addAll(List.of("mosquitto", "-c", dir.resolve("mosquitto.conf").toString()));
        broker = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile())).start();
        if (Lab.within(Duration.ofSeconds(10), this::listening) < 0) {
            throw new IllegalStateException("mosquitto did not listen:\n" + Files.readString(dir.resolve(
                    "mosquitto.log")));
        }
    }

    void startBrokerIfStopped() throws IOException, InterruptedException {
        if (broker == null || !broker.isAlive()) {
            startBroker();
        }
    }

    /** SIGTERM: the broker saves its sessions and goes. */
    void stopBroker() throws InterruptedException {
        if (broker != null) {
            broker.destroy();
            broker.waitFor(10, TimeUnit.SECONDS);
            broker.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            broker = null;
        }
    }

    /** SIGKILL: a broker crash. */
    void killBroker() throws InterruptedException {
        if (broker != null) {
            broker.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            broker = null;
        }
    }

    private boolean listening() {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(BROKER_ADDR, PORT), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void ok(List<String> cmd) throws IOException, InterruptedException {
        Lab.Result r = Lab.run(cmd, Duration.ofSeconds(10));
        if (!r.ok()) {
            throw new IllegalStateException(cmd + ": " + r.err());
        }
    }

    @Override
    public void close() throws Exception {
        killBroker();
        Lab.run(List.of("ip", "link", "del", jvmLink), Duration.ofSeconds(10)); // its peer goes with it
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
