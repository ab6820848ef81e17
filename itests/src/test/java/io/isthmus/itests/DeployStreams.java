package io.isthmus.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Traffic through the lab gateway while bundles change (DeployTrafficIT, DeployBench): a numbered UDP stream at
 * {@code pps} from the DMZ host to the internet (allowed by the lab document's dmz→uplink conduit), the same towards
 * the OT host (denied: no conduit reaches the offline port), and a long-lived TCP echo flow from the DMZ.
 */
final class DeployStreams implements AutoCloseable {
    static final String INTERNET = "203.0.113.10";
    static final String OT_HOST = "10.20.0.10";
    static final Path TOOLS = Distribution.root().resolve("itests/src/test/resources");

    record Result(int sent, long lost, int deniedSent, int deniedPassed, long tcpConnections, long echoes) {
    }

    private final Lab lab;
    private final Path work;
    private final int seconds;
    private final List<Process> processes = new ArrayList<>();
    private Process sendAllowed;
    private Process sendDenied;
    private Process tcp;

    DeployStreams(Lab lab, Path work, int seconds) {
        this.lab = lab;
        this.work = work;
        this.seconds = seconds;
    }

    /** Starts receivers and senders; returns once the allowed stream and the TCP flow carry data. */
    DeployStreams start(int pps) throws Exception {
        String stream = TOOLS.resolve("deploy/udp-stream.py").toString();
        run("inet", "allowed.txt", "python3", stream, "recv", INTERNET, "9100", String.valueOf(seconds + 4));
        run("ot", "denied.txt", "python3", stream, "recv", OT_HOST, "9101", String.valueOf(seconds + 4));
        run("inet", "socat.txt", "socat", "TCP-LISTEN:7100,bind=" + INTERNET + ",reuseaddr,fork", "EXEC:cat");
        Thread.sleep(300); // the receivers bind before the first datagram; the result is counted, not timed
        sendAllowed = run("dmz", "sent-allowed.txt", "python3", stream, "send", INTERNET, "9100",
                String.valueOf(pps), String.valueOf(seconds));
        sendDenied = run("dmz", "sent-denied.txt", "python3", stream, "send", OT_HOST, "9101", String.valueOf(pps),
                String.valueOf(seconds));
        tcp = run("dmz", "echoes.txt", "python3", TOOLS.resolve("uplink/tcp-echo-client.py").toString(), INTERNET,
                "7100", String.valueOf(seconds));
        if (Lab.within(Duration.ofSeconds(4), () -> lines("allowed.txt").size() > pps
                && lines("echoes.txt").stream().anyMatch(l -> l.startsWith("echo"))) < 0) {
            throw new IllegalStateException("the flows do not run: " + lines("allowed.txt").size() + " datagrams, "
                    + lines("echoes.txt"));
        }
        return this;
    }

    /** Waits for the senders to finish and counts. */
    Result finish() throws Exception {
        sendAllowed.waitFor(seconds + 10, TimeUnit.SECONDS);
        sendDenied.waitFor(10, TimeUnit.SECONDS);
        tcp.waitFor(10, TimeUnit.SECONDS);
        Thread.sleep(1000); // the last datagrams in flight
        int sent = count("sent-allowed.txt");
        int got = new HashSet<>(lines("allowed.txt")).size();
        return new Result(sent, sent - got, count("sent-denied.txt"), lines("denied.txt").size(),
                lines("echoes.txt").stream().filter(l -> l.startsWith("connected")).count(),
                lines("echoes.txt").stream().filter(l -> l.startsWith("echo")).count());
    }

    List<String> echoes() {
        return lines("echoes.txt");
    }

    private int count(String file) {
        return lines(file).stream().filter(l -> l.startsWith("sent ")).mapToInt(l -> Integer.parseInt(l.substring(5)
                .trim())).findFirst().orElse(-1);
    }

    private Process run(String node, String output, String... argv) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", lab.ns(node)));
        cmd.addAll(List.of(argv));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve(output).toFile())
                .start();
        processes.add(p);
        return p;
    }

    private List<String> lines(String file) {
        try {
            Path p = work.resolve(file);
            return Files.exists(p) ? Files.readAllLines(p).stream().filter(l -> !l.isBlank()).toList() : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
    public void close() {
        processes.forEach(Process::destroyForcibly);
    }
}
