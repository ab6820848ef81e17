package io.isthmus.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code isthmus provision} on a set made with real openssl: installed owners and modes (as root: the owner is the
 * given service user, here {@code daemon}), and bad sets that say what and where and change nothing.
 */
class ProvisioningTest {
    private static final String USER = "daemon";

    @TempDir
    Path root;
    private Path from;
    private Path etc;
    private Path state;
    private Path defaults;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void provisioningSet() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to give files to another user");
        from = Files.createDirectories(root.resolve("etc/isthmus/provision"));
        etc = root.resolve("etc/isthmus");
        state = Files.createDirectories(root.resolve("var/lib/isthmus"));
        defaults = root.resolve("etc/network.json"); // the distribution's default document
        Files.writeString(defaults, "{\"ports\": {\"eth0\": {\"role\": \"uplink\", \"ipv4\": \"dhcp\"}}}");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                root.resolve("ca.key").toString(), "-subj", "/CN=fleet CA", "-days", "2", "-out",
                from.resolve("ca.pem").toString());
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                from.resolve("client.key").toString(), "-subj", "/CN=gw-0001", "-days", "2", "-out",
                from.resolve("client.pem").toString());
        Files.createDirectories(from.resolve("trusted"));
        Files.copy(from.resolve("ca.pem"), from.resolve("trusted/signer.pem"));
        Files.writeString(from.resolve("provision.json"),
                "{\"deviceId\": \"gw-0001\", \"brokers\": [\"ssl://broker.example.com:8883\"]}");
    }

    private static void openssl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(
                ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl " + String.join(" ", args));
    }

    private int provision() {
        Launcher launcher = new Launcher(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Optional.of(new Distribution(root)), Map.of());
        return launcher.run(new String[] {"provision", "--from", from.toString(), "--etc", etc.toString(),
            "--state", state.toString(), "--user", USER});
    }

    private static String owner(Path p) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class);
        return a.owner().getName() + ":" + a.group().getName() + " " + PosixFilePermissions.toString(a.permissions());
    }

    @Test
    void installsSecretsReadableOnlyByTheServiceUser() throws Exception {
        assertEquals(0, provision(), err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("isthmus: provisioned gw-0001 for "
                + "ssl://broker.example.com:8883: client certificate, 1 trusted signing certificates"));
        assertEquals(USER + ":" + USER + " rw-------", owner(etc.resolve("tls/client.key")));
        assertEquals("root:" + USER + " rw-r-----", owner(etc.resolve("tls/client.pem")));
        assertEquals("root:" + USER + " rw-r-----", owner(etc.resolve("tls/ca.pem")));
        assertEquals("root:" + USER + " rwxr-x---", owner(etc.resolve("tls")));
        assertEquals(USER + ":" + USER + " rw-r-----", owner(state.resolve("deploy/trusted/signer.pem")));
        Path doc = state.resolve("provision/network.json");
        assertEquals(USER + ":" + USER + " rw-r-----", owner(doc));
        Map<String, Object> d = JsonFiles.readObject(doc);
        assertEquals(Map.of("eth0", Map.of("role", "uplink", "ipv4", "dhcp")), d.get("ports"));
        assertEquals(Map.of("brokers", List.of("ssl://broker.example.com:8883"), "deviceId", "gw-0001", "tls",
                Map.of("caFile", etc.resolve("tls/ca.pem").toString(), "certFile",
                        etc.resolve("tls/client.pem").toString(), "keyFile",
                        etc.resolve("tls/client.key").toString())), d.get("management"));
        assertFalse(Files.exists(from), "the set runs once");
        assertEquals("root:root rwx------", owner(root.resolve("etc/isthmus/provision.applied")));
    }

    @Test
    void givenNetworkDocumentKeepsItsSectionsAndGetsTheManagementOnes() throws Exception {
        Files.writeString(from.resolve("network.json"), "{\"ports\": {\"wan\": {\"role\": \"uplink\"}}, "
                + "\"management\": {\"keepAliveSeconds\": 30}}");
        assertEquals(0, provision(), err.toString(StandardCharsets.UTF_8));
        Map<String, Object> d = JsonFiles.readObject(state.resolve("provision/network.json"));
        assertEquals(Map.of("wan", Map.of("role", "uplink")), d.get("ports"));
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) d.get("management");
        assertEquals(30, ((Number) m.get("keepAliveSeconds")).intValue());
        assertEquals("gw-0001", m.get("deviceId"));
    }

    private void assertRejected(String line) {
        assertEquals(2, provision());
        assertEquals("isthmus: provision: " + line, err.toString(StandardCharsets.UTF_8).strip());
        assertTrue(Files.isDirectory(from), "the set stays for the next try");
        assertFalse(Files.exists(etc.resolve("tls")), "nothing installed");
        assertFalse(Files.exists(state.resolve("provision")), "nothing installed");
        assertFalse(Files.exists(state.resolve("deploy")), "nothing installed");
    }

    @Test
    void badDeviceIdNamesFileAndPointer() throws Exception {
        Files.writeString(from.resolve("provision.json"), "{\"deviceId\": \"gw 1\", \"brokers\": [\"ssl://b:8883\"]}");
        assertRejected(from.resolve("provision.json") + ": /deviceId: required, 1-64 characters of A-Z a-z 0-9 _ -");
    }

    @Test
    void badBrokerUrlNamesItsIndex() throws Exception {
        Files.writeString(from.resolve("provision.json"),
                "{\"deviceId\": \"gw-1\", \"brokers\": [\"ssl://a:8883\", \"http://b\"]}");
        assertRejected(from.resolve("provision.json") + ": /brokers/1: http://b: needs scheme://host[:port], scheme "
                + "one of tcp ssl ws wss mqtt mqtts");
    }

    @Test
    void keyOfAnotherCertificateIsRefused() throws Exception {
        Files.copy(root.resolve("ca.key"), from.resolve("client.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertRejected(from.resolve("client.key") + ": does not belong to the certificate in "
                + from.resolve("client.pem") + " (CN=gw-0001)");
    }

    @Test
    void certificateWithoutKeyIsRefused() throws Exception {
        Files.delete(from.resolve("client.key"));
        assertRejected(from.resolve("client.key") + ": missing: client.pem and client.key come together");
    }

    @Test
    void brokenTrustedCertificateIsRefused() throws Exception {
        Files.writeString(from.resolve("trusted/bad.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertEquals(2, provision());
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("isthmus: provision: " + from.resolve(
                "trusted/bad.pem") + ": not a PEM certificate"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void brokenDocumentIsRefused() throws Exception {
        Files.writeString(from.resolve("network.json"), "{\"ports\": ");
        assertEquals(2, provision());
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("isthmus: provision: " + from.resolve(
                "network.json") + ": invalid JSON"), err.toString(StandardCharsets.UTF_8));
        assertFalse(Files.exists(etc.resolve("tls")));
    }
}
