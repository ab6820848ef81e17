package io.isthmus.itests;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Real traffic between the lab's namespaces with socat: TCP and UDP-echo listeners started per test and killed
 * by {@link #close}, and one-shot probes bounded by socat's own timeouts.
 */
final class LabTraffic implements AutoCloseable {
    private final Lab lab;
    private final List<Process> listeners = new ArrayList<>();

    LabTraffic(Lab lab) {
        this.lab = lab;
    }

    /** A TCP listener on ADDRESS:PORT in a node; its stderr (socat -d -d: the peers it accepted) goes to log. */
    void tcpListener(String node, String address, int port, Path log) throws IOException {
        start(log, "ip", "netns", "exec", lab.ns(node), "socat", "-d", "-d",
                "TCP-LISTEN:" + port + ",bind=" + address + ",reuseaddr,fork", "EXEC:cat");
    }

    /** A UDP echo on ADDRESS:PORT in a node. */
    void udpEcho(String node, String address, int port) throws IOException {
        start(null, "ip", "netns", "exec", lab.ns(node), "socat",
                "UDP-RECVFROM:" + port + ",bind=" + address + ",reuseaddr,fork", "EXEC:cat");
    }

    private void start(Path log, String... argv) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv);
        if (log != null) {
            pb.redirectError(log.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        } else {
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        listeners.add(pb.start());
    }

    /** Whether a TCP connection from the node gets through and is answered (echo). */
    boolean tcp(String node, String address, int port) throws IOException, InterruptedException {
        return tcpFrom(node, null, address, port);
    }

    /** The same from a given source address of the node. */
    boolean tcpFrom(String node, String source, String address, int port) throws IOException, InterruptedException {
        String bind = source == null ? "" : ",bind=" + source;
        Lab.Result r = lab.exec(node, "sh", "-c", "echo isthmus | timeout 3 socat -T 2 - TCP:" + address + ":" + port
                + ",connect-timeout=1" + bind);
        return r.ok() && r.out().contains("isthmus");
    }

    /** Whether a UDP datagram from the node reaches the echo and its answer comes back. */
    boolean udp(String node, String address, int port) throws IOException, InterruptedException {
        Lab.Result r = lab.exec(node, "sh", "-c", "echo isthmus | timeout 3 socat -T 1 - UDP:" + address + ":" + port);
        return r.out().contains("isthmus");
    }

    @Override
    public void close() {
        for (Process p : listeners) {
            p.destroy();
        }
        for (Process p : listeners) {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        listeners.clear();
    }
}
