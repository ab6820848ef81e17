package io.isthmus.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A plant's HTTP proxy in the lab: Debian's tinyproxy in the wired ISP ({@code ispw}), listening on the ISP's side
 * of the gateway's wired link, resolving names with the lab's DNS (an {@code /etc/netns} resolv.conf, which
 * {@code ip netns exec} mounts). {@link #dropDirect} makes it the only path out: the ISPs' forwarding drops the
 * gateway's own connections to the broker's ports, while the proxy's (its own, not forwarded) pass.
 */
final class LabProxy implements AutoCloseable {
    static final String NODE = "ispw";
    private static final String TABLE = "isthmus_proxyit";

    private final Lab lab;
    private final Path dir;
    private final List<Process> proxies = new ArrayList<>();
    private final Path netnsEtc;
    private boolean dropping;

    private LabProxy(Lab lab, Path dir) {
        this.lab = lab;
        this.dir = dir;
        this.netnsEtc = Path.of("/etc/netns", lab.ns(NODE));
    }

    static LabProxy create(Lab lab) throws IOException {
        LabProxy p = new LabProxy(lab, Files.createTempDirectory("isthmus-proxy-"));
        Files.createDirectories(p.netnsEtc);
        Files.writeString(p.netnsEtc.resolve("resolv.conf"), "nameserver " + lab.get("INET_DNS_ADDR") + "\n");
        return p;
    }

    /** The proxy's address as the gateway sees it: the wired ISP's router. */
    String address() {
        return lab.get("ISPW_DOWN_ADDR");
    }

    String url(int port) {
        return "http://" + address() + ":" + port;
    }

    /** Starts a tinyproxy on {@code port} allowing CONNECT to {@code connectPorts}; {@code extra}: more lines. */
    void start(int port, List<Integer> connectPorts, String... extra) throws Exception {
        StringBuilder conf = new StringBuilder("Port " + port + "\nListen " + address() + "\nTimeout 600\n"
                + "MaxClients 50\nLogLevel Info\n");
        connectPorts.forEach(p -> conf.append("ConnectPort ").append(p).append('\n'));
        for (String e : extra) {
            conf.append(e).append('\n');
        }
        Path file = dir.resolve("tinyproxy-" + port + ".conf");
        Files.writeString(file, conf);
        List<String> cmd = new ArrayList<>(lab.inNamespace(NODE));
        cmd.addAll(List.of("tinyproxy", "-d", "-c", file.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(port).toFile())).start();
        proxies.add(p);
        if (Lab.within(Duration.ofSeconds(10), () -> listening(port)) < 0) {
            throw new IllegalStateException("tinyproxy did not listen on " + port + ":\n" + log(port));
        }
    }

    private Path log(int port) {
        return dir.resolve("tinyproxy-" + port + ".log");
    }

    String logOf(int port) throws IOException {
        return Files.exists(log(port)) ? Files.readString(log(port)) : "";
    }

    /** How many CONNECTs to {@code target} (host:port) the proxy logged. */
    long connects(int port, String target) throws IOException {
        return logOf(port).lines().filter(l -> l.contains("CONNECT " + target + " ")).count();
    }

    private boolean listening(int port) {
        try {
            return lab.exec(NODE, "ss", "-Hltn", "src", address() + ":" + port).out().contains(":" + port);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Both ISPs drop what the gateway sends to {@code ports} on the broker's address: only the proxy gets there. */
    void dropDirect(List<Integer> ports) throws Exception {
        dropDirect(MqttLab.BROKER_ADDR, ports);
    }

    /** The same for {@code address}. */
    void dropDirect(String address, List<Integer> ports) throws Exception {
        String set = ports.stream().map(String::valueOf).collect(Collectors.joining(", "));
        for (String isp : List.of("ispw", "ispc")) {
            ok(isp, "add table ip " + TABLE + "\n"
                    + "add chain ip " + TABLE + " direct { type filter hook forward priority 0; policy accept; }\n"
                    + "add rule ip " + TABLE + " direct ip daddr " + address + " tcp dport { " + set
                    + " } counter drop\n");
        }
        dropping = true;
    }

    /** Packets the ISPs dropped so far (the gateway trying the direct way). */
    long dropped() throws Exception {
        long n = 0;
        for (String isp : List.of("ispw", "ispc")) {
            Lab.Result r = lab.exec(isp, "nft", "list", "chain", "ip", TABLE, "direct");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("counter packets (\\d+)").matcher(r.out());
            while (m.find()) {
                n += Long.parseLong(m.group(1));
            }
        }
        return n;
    }

    void allowDirect() throws Exception {
        if (dropping) {
            for (String isp : List.of("ispw", "ispc")) {
                lab.exec(isp, "nft", "delete", "table", "ip", TABLE);
            }
            dropping = false;
        }
    }

    private void ok(String node, String script) throws Exception {
        Path f = dir.resolve(node + ".nft");
        Files.writeString(f, script);
        Lab.Result r = lab.exec(node, "nft", "-f", f.toString());
        if (!r.ok()) {
            throw new IllegalStateException(node + ": nft " + script + ": " + r.err());
        }
    }

    @Override
    public void close() throws Exception {
        try {
            allowDirect();
        } finally {
            for (Process p : proxies) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            try (var s = Files.walk(netnsEtc)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
