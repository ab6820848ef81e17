package io.isthmus.mgmt.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isthmus.api.config.ManagementConfig.Tls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM files as openssl writes them (brokers.md's recipe): a CA, a client certificate and its PKCS#8 key. */
class TlsSocketsTest {
    @TempDir
    Path dir;

    void openssl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl " + String.join(" ", args));
    }

    void pki() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "needs openssl");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ca.key");
        openssl("req", "-x509", "-new", "-key", "ca.key", "-days", "2", "-subj", "/CN=test CA", "-out", "ca.pem");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "gw.key");
        openssl("req", "-new", "-key", "gw.key", "-subj", "/CN=gw-1", "-out", "gw.csr");
        openssl("x509", "-req", "-in", "gw.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
                "-out", "gw.pem");
    }

    Optional<String> file(String name) {
        return Optional.of(dir.resolve(name).toString());
    }

    @Test
    void aCaAndAClientCertificateMakeASocketFactory() throws Exception {
        pki();

        assertNotNull(TlsSockets.factory(new Tls(file("ca.pem"), file("gw.pem"), file("gw.key"))));
        assertEquals("EC", TlsSockets.privateKey(dir.resolve("gw.key")).getAlgorithm());
        assertEquals(1, TlsSockets.certificates(dir.resolve("ca.pem")).size());
    }

    @Test
    void withoutACaFileTheJvmsTrustedCasVerifyTheBroker() throws Exception {
        assertNotNull(TlsSockets.factory(Tls.none()));
    }

    @Test
    void aFileWithoutAKeyOrCertificateIsAClearError() throws Exception {
        Files.writeString(dir.resolve("empty.pem"), "nothing here\n");

        GeneralSecurityException key = assertThrows(GeneralSecurityException.class,
                () -> TlsSockets.privateKey(dir.resolve("empty.pem")));
        assertEquals(true, key.getMessage().contains("BEGIN PRIVATE KEY"), key.getMessage());
        assertThrows(Exception.class, () -> TlsSockets.certificates(dir.resolve("empty.pem")));
    }
}
