package io.isthmus.mgmt.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isthmus.api.config.ManagementConfig.Proxy;
import io.isthmus.api.config.ManagementConfig.Tls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sockets through a real HTTP proxy: Debian's tinyproxy on loopback (skipped where it is not installed), in front
 * of an echo server in this JVM. The proxy's refusals (407, 403, a closed port) must read as the proxy's.
 */
class ProxiedSocketsTest {
    static final Path TINYPROXY = Path.of("/usr/bin/tinyproxy");

    @TempDir
    Path dir;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private ServerSocket echo;

    @BeforeEach
    void echoServer() throws IOException {
        assumeTrue(Files.isExecutable(TINYPROXY), "needs tinyproxy (tools/install-deps.sh)");
        echo = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        closing.add(echo);
        Thread t = new Thread(() -> serve(echo), "echo");
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    static void serve(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.getOutputStream().write(s.getInputStream().readNBytes(5));
            } catch (IOException e) {
                // closed, or a client that went away
            }
        }
    }

    /** tinyproxy on a free loopback port, allowing CONNECT to {@code ports}; {@code extra} lines appended. */
    int tinyproxy(List<Integer> ports, String... extra) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        StringBuilder conf = new StringBuilder("Port " + port + "\nListen 127.0.0.1\nAllow 127.0.0.1\nTimeout 30\n"
                + "MaxClients 20\nLogLevel Info\n");
        ports.forEach(p -> conf.append("ConnectPort ").append(p).append('\n'));
        for (String e : extra) {
            conf.append(e).append('\n');
        }
        Path file = dir.resolve("tinyproxy-" + port + ".conf");
        Files.writeString(file, conf);
        Process p = new ProcessBuilder(TINYPROXY.toString(), "-d", "-c", file.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("tinyproxy-" + port + ".log").toFile()).start();
        closing.add(() -> p.destroyForcibly().waitFor(5, TimeUnit.SECONDS));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < until) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return port;
            } catch (IOException notYet) {
                assertTrue(p.isAlive(), () -> "tinyproxy exited: " + log(port));
                Thread.sleep(50);
            }
        }
        throw new AssertionError("tinyproxy did not listen: " + log(port));
    }

    String log(int port) {
        try {
            return Files.readString(dir.resolve("tinyproxy-" + port + ".log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    static Proxy proxy(int port, Optional<String> credentials) {
        return new Proxy("127.0.0.1", port, credentials, List.of());
    }

    static byte[] roundTrip(Socket s) throws IOException {
        s.setSoTimeout(5000);
        s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s.getInputStream().readNBytes(5);
    }

    @Test
    void aPlainSocketGoesThroughTheTunnel() throws Exception {
        int proxy = tinyproxy(List.of(echo.getLocalPort()));
        try (Socket s = ProxiedSockets.plain(proxy(proxy, Optional.empty())).createSocket()) {
            s.connect(InetSocketAddress.createUnresolved("localhost", echo.getLocalPort()), 5000);
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), roundTrip(s));
            assertTrue(s.getTcpNoDelay(), "MQTT's small packets go out at once");
        }
        assertTrue(log(proxy).contains("localhost"), "the proxy resolved the name:\n" + log(proxy));
    }

    @Test
    void credentialsFromTheFileAreSentAndAWrongOrMissingOneIsTheProxysRefusal() throws Exception {
        int proxy = tinyproxy(List.of(echo.getLocalPort()), "BasicAuth plant s3cret");
        Path good = Files.writeString(dir.resolve("good"), "plant:s3cret\n");
        Path bad = Files.writeString(dir.resolve("bad"), "plant:wrong\n");
        InetSocketAddress to = InetSocketAddress.createUnresolved("127.0.0.1", echo.getLocalPort());

        try (Socket s = ProxiedSockets.plain(proxy(proxy, Optional.of(good.toString()))).createSocket()) {
            s.connect(to, 5000);
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), roundTrip(s));
        }
        HttpTunnel.Refused none = assertThrows(HttpTunnel.Refused.class, () -> ProxiedSockets.plain(
                proxy(proxy, Optional.empty())).createSocket().connect(to, 5000));
        // tinyproxy says 401 where the RFC says 407: both mean "credentials, please"
        assertTrue(none.getMessage().matches("proxy 127\\.0\\.0\\.1:" + proxy + " answered \"HTTP/1\\.[01] 40[17] .*"),
                none.getMessage());
        assertTrue(none.getMessage().endsWith("(the proxy wants credentials: management.proxy.credentialsFile)"),
                none.getMessage());
        HttpTunnel.Refused wrong = assertThrows(HttpTunnel.Refused.class, () -> ProxiedSockets.plain(
                proxy(proxy, Optional.of(bad.toString()))).createSocket().connect(to, 5000));
        assertTrue(wrong.getMessage().matches(".* answered \"HTTP/1\\.[01] 40[17] .*"), wrong.getMessage());
        assertTrue(wrong.getMessage().contains("refused the user:password"), wrong.getMessage());
        assertFalse(wrong.getMessage().contains("wrong"), "the password is never in a message");
        HttpTunnel.Refused missing = assertThrows(HttpTunnel.Refused.class, () -> ProxiedSockets.plain(
                proxy(proxy, Optional.of(dir.resolve("nothing").toString()))).createSocket().connect(to, 5000));
        assertTrue(missing.getMessage().contains("credentialsFile " + dir.resolve("nothing") + " cannot be read"),
                missing.getMessage());
    }

    @Test
    void aPortTheProxyDoesNotAllowReadsAs403AndAClosedProxyAsRefused() throws Exception {
        int proxy = tinyproxy(List.of(443));
        InetSocketAddress to = InetSocketAddress.createUnresolved("127.0.0.1", echo.getLocalPort());

        HttpTunnel.Refused forbidden = assertThrows(HttpTunnel.Refused.class, () -> ProxiedSockets.plain(
                proxy(proxy, Optional.empty())).createSocket().connect(to, 5000));
        assertTrue(forbidden.getMessage().contains("403"), forbidden.getMessage());
        assertTrue(forbidden.getMessage().contains("CONNECT 127.0.0.1:" + echo.getLocalPort()),
                forbidden.getMessage());

        int closed;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = free.getLocalPort();
        }
        HttpTunnel.Refused refused = assertThrows(HttpTunnel.Refused.class, () -> ProxiedSockets.plain(
                proxy(closed, Optional.empty())).createSocket().connect(to, 5000));
        assertTrue(refused.getMessage().startsWith("proxy 127.0.0.1:" + closed + " refused the connection"),
                refused.getMessage());
        // what status.management.lastError shows, under Paho's own wrapping
        assertEquals(refused.getMessage(), ConnectionErrors.describe(new org.eclipse.paho.mqttv5.common.MqttException(
                32103, refused)));
    }

    /** TLS inside the tunnel: the broker's chain and host name are checked as on a direct connection. */
    @Test
    void tlsRunsInsideTheTunnelAndStillChecksTheHostName() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "needs openssl");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout", "srv.key", "-out",
                "srv.pem");
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setKeyEntry("srv", TlsSockets.privateKey(dir.resolve("srv.key")), new char[0],
                TlsSockets.certificates(dir.resolve("srv.pem")).toArray(Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);
        SSLServerSocket tlsEcho = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 5,
                InetAddress.getLoopbackAddress());
        closing.add(tlsEcho);
        Thread t = new Thread(() -> serve(tlsEcho), "tls-echo");
        t.setDaemon(true);
        t.start();
        int proxy = tinyproxy(List.of(tlsEcho.getLocalPort()));
        var tls = ProxiedSockets.tls(TlsSockets.factory(new Tls(Optional.of(dir.resolve("srv.pem").toString()),
                Optional.empty(), Optional.empty())), proxy(proxy, Optional.empty()));

        // as Paho's SSLNetworkModule does it: connect, then parameters with host name verification, handshake
        try (SSLSocket s = (SSLSocket) tls.createSocket()) {
            s.connect(InetSocketAddress.createUnresolved("localhost", tlsEcho.getLocalPort()), 5000);
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.startHandshake();
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), roundTrip(s));
        }
        try (SSLSocket s = (SSLSocket) tls.createSocket()) {
            s.connect(InetSocketAddress.createUnresolved("127.0.0.1", tlsEcho.getLocalPort()), 5000);
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            IOException e = assertThrows(IOException.class, s::startHandshake);
            assertTrue(TlsErrors.explain(e).orElse("").contains("not for the host name"), e.toString());
        }
    }

    void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    }
}
