package io.isthmus.itests;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Mosquitto (Debian's) set up exactly as docs/brokers.md says — TLS, client certificates as identities, the
 * per-device ACL — on the lab's internet: the certificates come from the document's own openssl commands, the
 * broker configuration and the ACL are its text with only the paths (and the port) replaced. Besides the
 * documented broker on {@link #PORT}, two impostors on the same address: one whose certificate names another host
 * ({@link #WRONG_HOST_PORT}) and one whose certificate comes from another CA ({@link #OTHER_CA_PORT}); and the
 * documented broker with an ACL that lacks the probe's line ({@link #NO_PROBE_PORT}). The other CA also signs a
 * certificate for the first identity, in {@code other-ca/}.
 */
final class TlsBroker implements AutoCloseable {
    static final Path DOC = Distribution.root().resolve("docs/brokers.md");
    /** The lab's name for its broker (lab.sh INET_BROKER_NAME); in brokers.md it is broker.example.com. */
    static final String NAME = "broker.isthmus.test";
    static final int PORT = 8883;
    static final int WRONG_HOST_PORT = 8884;
    static final int OTHER_CA_PORT = 8885;
    /** The documented broker with the ACL's probe line left out. */
    static final int NO_PROBE_PORT = 8886;
    static final String PROBE_RULE = "pattern write isthmus/v1/%u/cmd/.probe\n";
    static final String URI = "ssl://" + NAME + ":" + PORT;
    /** The documented broker's MQTT over WebSocket with TLS listener (the others' are on their port + 1000). */
    static final int WSS_PORT = 8443;
    static final String WSS_URI = "wss://" + NAME + ":" + WSS_PORT;
    static final char[] PASSWORD = "isthmus".toCharArray();

    private final Lab lab;
    final Path dir;
    private final List<Process> brokers = new ArrayList<>();

    private TlsBroker(Lab lab, Path dir) {
        this.lab = lab;
        this.dir = dir;
    }

    /** The fenced block that follows the first line of docs/brokers.md containing {@code marker}. */
    static String docBlock(String marker) throws IOException {
        String doc = Files.readString(DOC);
        int at = doc.indexOf(marker);
        if (at < 0) {
            throw new IllegalStateException("docs/brokers.md has no " + marker);
        }
        int open = doc.indexOf("```", at);
        int start = doc.indexOf('\n', open) + 1;
        return doc.substring(start, doc.indexOf("```", start));
    }

    /** The lines of the document's openssl block from the comment starting with {@code from} to the next one. */
    static String pkiSection(String from) throws IOException {
        String block = docBlock("Certificates (a private CA");
        int start = block.indexOf("# " + from);
        int end = block.indexOf("\n# ", start + 1);
        return block.substring(start, end < 0 ? block.length() : end + 1);
    }

    /**
     * Makes every certificate (the fleet's CA, the broker's, {@code identities} signed by it; an impostor broker
     * for another host name; another CA with a broker of the right name) and starts the three brokers.
     */
    static TlsBroker start(Lab lab, String... identities) throws Exception {
        Path dir = Files.createTempDirectory("isthmus-tls-");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        TlsBroker b = new TlsBroker(lab, dir);
        try {
            String broker = pkiSection("broker");
            b.shell(dir, pkiSection("CA") + broker.replace("broker.example.com", NAME));
            for (String id : identities) {
                b.shell(dir, pkiSection("one gateway").replace("gw-0001", id));
                b.shell(dir, "openssl pkcs12 -export -in " + id + ".pem -inkey " + id + ".key -passout pass:"
                        + new String(PASSWORD) + " -out " + id + ".p12\n");
            }
            Path wrong = Files.createDirectories(dir.resolve("wrong-host"));
            Files.copy(dir.resolve("ca.pem"), wrong.resolve("ca.pem"));
            Files.copy(dir.resolve("ca.key"), wrong.resolve("ca.key"));
            b.shell(wrong, broker.replace("broker.example.com", "other.isthmus.test"));
            Path other = Files.createDirectories(dir.resolve("other-ca"));
            b.shell(other, pkiSection("CA") + broker.replace("broker.example.com", NAME));
            // a gateway certificate the fleet's broker does not trust
            b.shell(other, pkiSection("one gateway").replace("gw-0001", identities[0]));
            String acl = docBlock("`/etc/mosquitto/isthmus.acl`");
            if (!acl.contains(PROBE_RULE)) {
                throw new IllegalStateException("the ACL in docs/brokers.md has no " + PROBE_RULE);
            }
            Files.writeString(dir.resolve("isthmus.acl"), acl);
            Path noProbe = Files.createDirectories(dir.resolve("no-probe"));
            for (String f : List.of("ca.pem", "broker.pem", "broker.key")) {
                Files.copy(dir.resolve(f), noProbe.resolve(f));
            }
            Files.writeString(noProbe.resolve("isthmus.acl"), acl.replace(PROBE_RULE, ""));
            b.startBroker(dir, PORT, dir.resolve("isthmus.acl"));
            b.startBroker(wrong, WRONG_HOST_PORT, dir.resolve("isthmus.acl"));
            b.startBroker(other, OTHER_CA_PORT, dir.resolve("isthmus.acl"));
            b.startBroker(noProbe, NO_PROBE_PORT, noProbe.resolve("isthmus.acl"));
            return b;
        } catch (Exception | Error e) {
            b.close();
            throw e;
        }
    }

    /** The documented configuration, with this lab's paths and port, and where the broker keeps its files. */
    void startBroker(Path certs, int port, Path acl) throws Exception {
        String conf = docBlock("`/etc/mosquitto/conf.d/isthmus.conf`")
                .replace("listener 8883", "listener " + port)
                .replace("listener 8443", "listener " + (port == PORT ? WSS_PORT : port + 1000))
                .replace("/etc/mosquitto/certs/", certs + "/")
                .replace("/etc/mosquitto/isthmus.acl", acl.toString())
                // test only: where the Debian package's mosquitto.conf would put these
                + "persistence_location " + certs + "/\nlog_dest stdout\n";
        Path file = certs.resolve("mosquitto.conf");
        Files.writeString(file, conf);
        // the broker drops to the mosquitto user before it reads its key (on Debian: chown in /etc/mosquitto/certs)
        ok(List.of("chown", "-R", "mosquitto", certs.toString()));
        List<String> cmd = new ArrayList<>(lab.inNamespace("inet"));
        cmd.addAll(List.of("mosquitto", "-c", file.toString()));
        Path log = certs.resolve("mosquitto.log");
        brokers.add(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start());
        if (Lab.within(Duration.ofSeconds(10), () -> listening(port)) < 0) {
            throw new IllegalStateException("mosquitto did not listen on " + port + ":\n" + conf + "\n"
                    + Files.readString(log));
        }
    }

    String log() throws IOException {
        return Files.readString(dir.resolve("mosquitto.log"));
    }

    /**
     * TLS sockets for a client in the test JVM logging in as {@code identity}, trusting the fleet's CA. The test JVM
     * has no resolver for the lab's names, so its clients use the address: the chain is verified, the name not
     * (the gateway and isthmusctl do check it).
     */
    SSLSocketFactory sockets(String identity) throws Exception {
        return sockets(identity, dir.resolve("ca.pem"));
    }

    /** The same, trusting the CA(s) in {@code caFile}. */
    SSLSocketFactory sockets(String identity, Path caFile) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(identity + ".p12"))) {
            ks.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        KeyStore cas = KeyStore.getInstance(KeyStore.getDefaultType());
        cas.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            int i = 0;
            for (java.security.cert.Certificate c : java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificates(in)) {
                cas.setCertificateEntry("ca-" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(cas);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx.getSocketFactory();
    }

    private static boolean listening(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(MqttLab.BROKER_ADDR, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void shell(Path in, String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-euc", script).directory(in.toFile()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("in " + in + ":\n" + script + "\n" + out);
        }
    }

    private static void ok(List<String> cmd) throws IOException, InterruptedException {
        Lab.Result r = Lab.run(cmd, Duration.ofSeconds(10));
        if (!r.ok()) {
            throw new IllegalStateException(cmd + ": " + r.err());
        }
    }

    @Override
    public void close() throws Exception {
        for (Process p : brokers) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
