package io.isthmus.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A fleet's network of its own for FleetRolloutIT: one namespace per gateway (each configures its kernel), a
 * broker namespace with a bridge and Mosquitto on 10.77.0.1, and a veth from this test JVM's (private) namespace
 * onto the bridge (10.77.0.2), where isthmusctl runs and the test serves jars over HTTP. Gateway i has eth0 with
 * 10.77.0.(10+i)/24 on the bridge once its document is applied. Nothing touches the host's network.
 * {@link #close()} removes it all; {@link #gc()} removes leftovers of a test JVM that died.
 */
final class FleetNet implements AutoCloseable {
    static final String BROKER_ADDR = "10.77.0.1";
    static final String JVM_ADDR = "10.77.0.2";
    static final String BROKER = "tcp://" + BROKER_ADDR + ":1883";
    private static final Path RUN = Path.of("/run/isthmus-fleet");

    final String id;
    final int size;
    private final Path dir;
    private Process broker;

    private FleetNet(String id, int size, Path dir) {
        this.id = id;
        this.size = size;
        this.dir = dir;
    }

    static FleetNet up(int gateways) throws IOException, InterruptedException {
        gc();
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 6);
        Files.createDirectories(RUN);
        Files.writeString(RUN.resolve(id + ".owner"), String.valueOf(ProcessHandle.current().pid()));
        FleetNet n = new FleetNet(id, gateways, Files.createTempDirectory("isthmus-fleet-"));
        String br = n.brokerNs();
        ok("ip", "netns", "add", br);
        ok("ip", "-n", br, "link", "set", "lo", "up");
        ok("ip", "-n", br, "link", "add", "br0", "type", "bridge");
        ok("ip", "-n", br, "addr", "add", BROKER_ADDR + "/24", "dev", "br0");
        ok("ip", "-n", br, "link", "set", "br0", "up");
        // this JVM's side: its own namespace (failsafe's netns wrapper), never the host's
        ok("ip", "link", "add", "fj" + id, "type", "veth", "peer", "name", "fb" + id, "netns", br);
        ok("ip", "-n", br, "link", "set", "fb" + id, "master", "br0", "up");
        ok("ip", "link", "set", "lo", "up");
        ok("ip", "addr", "add", JVM_ADDR + "/24", "dev", "fj" + id);
        ok("ip", "link", "set", "fj" + id, "up");
        for (int i = 1; i <= gateways; i++) {
            String ns = n.ns(i);
            ok("ip", "netns", "add", ns);
            ok("ip", "-n", ns, "link", "set", "lo", "up");
            ok("ip", "link", "add", "fg" + id + i, "netns", br, "type", "veth", "peer", "name", "eth0", "netns", ns);
            ok("ip", "-n", br, "link", "set", "fg" + id + i, "master", "br0", "up");
        }
        Files.writeString(n.dir.resolve("mosquitto.conf"), String.join("\n", "listener 1883 " + BROKER_ADDR,
                "allow_anonymous true", "set_tcp_nodelay true", "log_dest stdout", "") + "\n");
        return n;
    }

    String brokerNs() {
        return "isf-" + id + "-br";
    }

    /** Gateway i's namespace (1-based). */
    String ns(int i) {
        return "isf-" + id + "-g" + i;
    }

    List<String> in(int i) {
        return List.of("ip", "netns", "exec", ns(i));
    }

    static String address(int i) {
        return "10.77.0." + (10 + i);
    }

    void startBroker() throws IOException, InterruptedException {
        broker = new ProcessBuilder("ip", "netns", "exec", brokerNs(), "mosquitto", "-c",
                dir.resolve("mosquitto.conf").toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile())).start();
        if (Lab.within(Duration.ofSeconds(10), FleetNet::listening) < 0) {
            throw new IllegalStateException("mosquitto did not listen:\n" + Files.readString(dir.resolve(
                    "mosquitto.log")));
        }
    }

    /** SIGKILL and start again: a broker crash; without persistence it forgets every session. */
    void restartBroker() throws IOException, InterruptedException {
        broker.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        startBroker();
    }

    private static boolean listening() {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(BROKER_ADDR, 1883), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (broker != null) {
            broker.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        List<String> namespaces = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            namespaces.add(ns(i));
        }
        namespaces.add(brokerNs());
        remove(namespaces);
        Lab.run(List.of("ip", "link", "del", "fj" + id), Duration.ofSeconds(10)); // gone with its peer already
        Files.deleteIfExists(RUN.resolve(id + ".owner"));
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Removes the namespaces of fleets whose test JVM is gone (killed before its @AfterClass). */
    static void gc() throws IOException, InterruptedException {
        String list = Lab.run(List.of("ip", "netns", "list"), Duration.ofSeconds(10)).out();
        java.util.Map<String, List<String>> byId = new java.util.TreeMap<>();
        for (String line : list.split("\n")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(isf-([a-z0-9]{6})-[a-z0-9]+)")
                    .matcher(line.strip());
            if (m.find()) {
                byId.computeIfAbsent(m.group(2), k -> new ArrayList<>()).add(m.group(1));
            }
        }
        for (var e : byId.entrySet()) {
            Path owner = RUN.resolve(e.getKey() + ".owner");
            boolean alive = Files.exists(owner) && ProcessHandle.of(Long.parseLong(Files.readString(owner).strip()))
                    .map(ProcessHandle::isAlive).orElse(false);
            if (!alive) {
                remove(e.getValue());
                Files.deleteIfExists(owner);
            }
        }
    }

    /** Kills what still runs inside the namespaces (SIGKILL: a test's leftovers), then deletes them. */
    private static void remove(List<String> namespaces) throws IOException, InterruptedException {
        for (String ns : namespaces) {
            for (String pid : Lab.run(List.of("ip", "netns", "pids", ns), Duration.ofSeconds(10)).out().split("\\s+")) {
                if (pid.matches("\\d+")) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
        for (String ns : namespaces) {
            Lab.run(List.of("ip", "netns", "del", ns), Duration.ofSeconds(10));
        }
    }

    private static void ok(String... cmd) throws IOException, InterruptedException {
        Lab.Result r = Lab.run(List.of(cmd), Duration.ofSeconds(10));
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + r.err());
        }
    }
}
