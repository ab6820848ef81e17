package io.isthmus.mgmt.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.config.ManagementConfig.Tls;
import io.isthmus.api.linux.ClockState;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real TLS handshakes over the loopback: a broker whose certificate (from a test CA, made with the JDK's keytool) is
 * valid only from two days after the machine's clock, and a client with the agent's socket factory, whose host name
 * check is on as Paho sets it. The machine's clock plays the gateway's clock that is behind; what the NTP client
 * says (kept, synchronised, offset) is given to the policy as the linux bundle would report it.
 */
class ClockTrustManagerTest {
    static final char[] PW = "isthmus".toCharArray();
    @TempDir
    static Path dir;
    static SSLServerSocket server;
    static Thread acceptor;
    static Instant notBefore;

    static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, cmd + ":\n" + out);
    }

    @BeforeAll
    static void broker() throws Exception {
        String ks = "-storetype";
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=test CA",
                "-ext", "bc:c", "-startdate", "-1d", "-validity", "3650", "-keystore", "ca.p12", ks, "PKCS12",
                "-storepass", "isthmus");
        keytool("-exportcert", "-rfc", "-alias", "ca", "-file", "ca.pem", "-keystore", "ca.p12", "-storepass",
                "isthmus");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=localhost", "-keystore", "broker.p12", ks, "PKCS12", "-storepass", "isthmus");
        keytool("-certreq", "-alias", "broker", "-file", "broker.csr", "-keystore", "broker.p12", "-storepass",
                "isthmus");
        // valid from two days after the machine's clock, for 30 days
        keytool("-gencert", "-alias", "ca", "-infile", "broker.csr", "-outfile", "broker.pem", "-rfc", "-startdate",
                "+2d", "-validity", "30", "-ext", "san=dns:localhost", "-ext", "eku=serverAuth", "-keystore",
                "ca.p12", "-storepass", "isthmus");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", "broker.p12",
                "-storepass", "isthmus");
        keytool("-importcert", "-alias", "broker", "-file", "broker.pem", "-keystore", "broker.p12", "-storepass",
                "isthmus");
        notBefore = ((java.security.cert.X509Certificate) TlsSockets.certificates(dir.resolve("broker.pem")).get(0))
                .getNotBefore().toInstant();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("broker.p12"))) {
            store.load(in, PW);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, PW);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    s.setSoTimeout(5000);
                    s.startHandshake();
                    s.getOutputStream().write(1);
                    s.getOutputStream().flush();
                } catch (Exception clientGaveUp) {
                    // the client refused the certificate: the next test connects again
                }
            }
        }, "test-broker");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        acceptor.join(5000);
    }

    /** What the NTP client says; counts how often the policy asked. */
    static final class Ntp implements Supplier<ClockState> {
        final ClockState state;
        final AtomicInteger asked = new AtomicInteger();

        Ntp(ClockState state) {
            this.state = state;
        }

        @Override
        public ClockState get() {
            asked.incrementAndGet();
            return state;
        }
    }

    static ClockPolicy policy(Supplier<ClockState> ntp, Duration wait, Optional<Instant> buildTime) {
        return new ClockPolicy(ntp, wait, buildTime, System::nanoTime);
    }

    /** Empty when the handshake as {@code host} succeeded, else the agent's lastError text for it. */
    static Optional<String> connect(String host, Optional<ClockPolicy> policy) throws Exception {
        SSLSocketFactory f = TlsSockets.factory(new Tls(Optional.of(dir.resolve("ca.pem").toString()),
                Optional.empty(), Optional.empty()), policy);
        try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                SSLSocket s = (SSLSocket) f.createSocket(plain, host, server.getLocalPort(), true)) {
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS"); // as Paho with httpsHostnameVerificationEnabled
            s.setSSLParameters(p);
            s.setSoTimeout(5000);
            s.startHandshake();
            assertEquals(1, s.getInputStream().read());
            return Optional.empty();
        } catch (javax.net.ssl.SSLException e) {
            return Optional.of(ConnectionErrors.describe(e));
        }
    }

    @Test
    void withoutThePolicyACertificateNotYetValidIsRefusedAsBefore() throws Exception {
        String error = connect("localhost", Optional.empty()).orElseThrow();
        assertTrue(error.startsWith("TLS: the broker's certificate is not valid yet; is the gateway's clock right?"),
                error);
    }

    @Test
    void whileTheClockIsKeptAndNotSynchronisedTheAgentWaitsAndSaysSo() throws Exception {
        Ntp ntp = new Ntp(new ClockState(true, false, 0));
        String error = connect("localhost", Optional.of(policy(ntp, Duration.ofMinutes(5), Optional.empty())))
                .orElseThrow();
        assertTrue(error.startsWith("TLS: the broker's certificate is not valid yet at the gateway's clock ("), error);
        assertTrue(error.matches(".*; waiting for the first time sync \\((300|299|298) s left\\)"), error);
        // even a build time that would admit it is not used while a sync is to come
        String still = connect("localhost", Optional.of(policy(ntp, Duration.ofMinutes(5),
                Optional.of(notBefore.plus(Duration.ofDays(1)))))).orElseThrow();
        assertTrue(still.contains("waiting for the first time sync"), still);
    }

    @Test
    void onceSynchronisedTheCertificateIsCheckedAtTheTrueTime() throws Exception {
        // the system clock is three days slow: chronyd -x says offset -3 days
        Ntp ntp = new Ntp(new ClockState(true, true, -Duration.ofDays(3).toSeconds()));
        assertEquals(Optional.empty(), connect("localhost", Optional.of(policy(ntp, Duration.ofMinutes(5),
                Optional.empty()))));
        assertEquals(1, ntp.asked.get());
    }

    @Test
    void anExpiredCertificateIsRefusedAtTheTrueTime() throws Exception {
        Ntp ntp = new Ntp(new ClockState(true, true, -Duration.ofDays(40).toSeconds()));
        String error = connect("localhost", Optional.of(policy(ntp, Duration.ofMinutes(5), Optional.empty())))
                .orElseThrow();
        assertTrue(error.startsWith("TLS: the broker's certificate has expired"), error);
        assertTrue(error.contains("the time the synchronised NTP client gives"), error);
    }

    @Test
    void aWrongHostNameIsSaidAtOnceNotAfterTheWait() throws Exception {
        Ntp ntp = new Ntp(new ClockState(true, false, 0));
        String error = connect("broker.example", Optional.of(policy(ntp, Duration.ofMinutes(5), Optional.empty())))
                .orElseThrow();
        assertTrue(error.startsWith("TLS: the broker's certificate is not for the host name"), error);
        assertFalse(error.contains("waiting"), error);
        // and at the true time too
        Ntp synced = new Ntp(new ClockState(true, true, -Duration.ofDays(3).toSeconds()));
        String later = connect("broker.example", Optional.of(policy(synced, Duration.ofMinutes(5),
                Optional.empty()))).orElseThrow();
        assertTrue(later.startsWith("TLS: the broker's certificate is not for the host name"), later);
    }

    @Test
    void afterTheWaitTheBuildTimeIsAFloor() throws Exception {
        Ntp ntp = new Ntp(new ClockState(true, false, 0));
        assertEquals(Optional.empty(), connect("localhost", Optional.of(policy(ntp, Duration.ZERO,
                Optional.of(notBefore.plus(Duration.ofDays(1)))))));
        // a floor before the certificate's start does not admit it, and the error says what was checked
        String error = connect("localhost", Optional.of(policy(ntp, Duration.ZERO,
                Optional.of(notBefore.minus(Duration.ofDays(1)))))).orElseThrow();
        assertTrue(error.startsWith("TLS: the broker's certificate is not valid yet"), error);
        assertTrue(error.contains("the distribution's build time: the gateway's clock"), error);
        assertTrue(error.contains("no time sync within 0 s"), error);
        // a floor after the certificate's end does not admit an expired one
        String expired = connect("localhost", Optional.of(policy(ntp, Duration.ZERO,
                Optional.of(notBefore.plus(Duration.ofDays(31)))))).orElseThrow();
        assertTrue(expired.startsWith("TLS: the broker's certificate has expired"), expired);
    }

    @Test
    void aGatewayThatDoesNotKeepItsClockUsesTheFloorAtOnce() throws Exception {
        Ntp ntp = new Ntp(ClockState.UNKEPT);
        assertEquals(Optional.empty(), connect("localhost", Optional.of(policy(ntp, Duration.ofMinutes(5),
                Optional.of(notBefore.plus(Duration.ofDays(1)))))));
        String error = connect("localhost", Optional.of(policy(ntp, Duration.ofMinutes(5), Optional.empty())))
                .orElseThrow();
        assertTrue(error.contains("the gateway does not keep its clock"), error);
    }
}
