package io.isthmus.mgmt.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.mgmt.dispatch.BadRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What credentials.rotate refuses before anything is written or tried: texts that do not parse, a key of another
 * certificate, a certificate not valid now. Certificates from openssl; the agent's side is a stand-in that records
 * whether it was called (its real run is CredentialRotationIT's).
 */
class CredentialsRotateCommandTest {
    @TempDir
    Path dir;
    final List<String> tried = new ArrayList<>();
    final CredentialsRotateCommand command = new CredentialsRotateCommand((cert, key, ca, window) -> {
        tried.add(cert);
        return CommandReply.ok(Map.of("result", "committed"));
    });

    void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    }

    /** A self-signed certificate and its key named {@code name}, valid for {@code validity} ("-days 2"). */
    void pair(String name, String validity) throws Exception {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj",
                "/CN=" + name, "-keyout", name + ".key", "-out", name + ".pem", validity.split(" ")[0],
                validity.split(" ")[1]);
    }

    String read(String file) throws Exception {
        return Files.readString(dir.resolve(file));
    }

    BadRequest refused(Map<String, Object> request) {
        BadRequest e = assertThrows(BadRequest.class, () -> command.handle(request));
        String key = String.valueOf(request.get("key"));
        assertTrue(key.lines().filter(l -> !l.startsWith("-----") && l.length() > 16)
                .noneMatch(l -> e.getMessage().contains(l)), "never the key in a reply: " + e.getMessage());
        return e;
    }

    @Test
    void aMatchingValidPairIsHandedToTheAgentAndAnythingElseIsRefusedWithItsPointer() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "needs openssl");
        pair("gw-1", "-days 2");
        pair("gw-2", "-days 2");

        assertEquals(200, command.handle(Map.of("certificate", read("gw-1.pem"), "key", read("gw-1.key")))
                .status());
        assertEquals(1, tried.size());

        assertEquals("/key", refused(Map.of("certificate", read("gw-1.pem"), "key", read("gw-2.key"))).pointer());
        assertEquals("/certificate", refused(Map.of("certificate", "not a certificate", "key", read("gw-1.key")))
                .pointer());
        assertEquals("/key", refused(Map.of("certificate", read("gw-1.pem"), "key", "-----BEGIN RSA PRIVATE KEY---"))
                .pointer());
        assertEquals("/ca", refused(Map.of("certificate", read("gw-1.pem"), "key", read("gw-1.key"), "ca", "x"))
                .pointer());
        assertEquals(1, tried.size(), "nothing refused reached the agent");
    }

    @Test
    void anExpiredCertificateIsRefused() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "needs openssl");
        // openssl 3.0 has no -not_before for x509: a one-day self-signed CA run dated 2020
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=old",
                "-keyout", "old.key", "-out", "old.csr");
        Files.writeString(dir.resolve("index.txt"), "");
        Files.writeString(dir.resolve("serial"), "01\n");
        Files.writeString(dir.resolve("ca.cnf"), "[ca]\ndefault_ca=c\n[c]\ndatabase=index.txt\nnew_certs_dir=.\n"
                + "serial=serial\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n");
        openssl("ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", "old.key", "-in", "old.csr",
                "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-out", "old.pem");
        BadRequest e = refused(Map.of("certificate", read("old.pem"), "key", read("old.key")));
        assertEquals("/certificate", e.pointer());
        assertTrue(e.getMessage().startsWith("the certificate is not valid now"), e.getMessage());
        assertEquals(Optional.empty(), tried.stream().findFirst());
    }
}
