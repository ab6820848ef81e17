package io.isthmus.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipFile;
import jdk.security.jarsigner.JarSigner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jars signed for real: keys from the JDK's keytool, signatures from the JDK's JarSigner API. */
class JarCheckTest {
    static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path dir;
    static Path trusted;
    static Path stranger;
    static TrustStore trust;

    @BeforeAll
    static void keys() throws Exception {
        trusted = key("release");
        stranger = key("stranger");
        Files.createDirectories(dir.resolve("trust"));
        Process p = new ProcessBuilder(keytool(), "-exportcert", "-rfc", "-alias", "release", "-keystore",
                trusted.toString(), "-storepass", new String(PASSWORD), "-file", dir.resolve("trust/release.pem")
                        .toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertEquals(0, p.waitFor());
        trust = TrustStore.load(dir.resolve("trust"), new char[0]);
    }

    private static Path key(String alias) throws Exception {
        Path ks = dir.resolve(alias + ".p12");
        Process p = new ProcessBuilder(keytool(), "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname",
                "secp256r1", "-validity", "30", "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass",
                new String(PASSWORD), "-dname", "CN=" + alias).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertEquals(0, p.waitFor());
        return ks;
    }

    private static String keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }

    private static Path bundle(String name, String bsn) throws Exception {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (bsn != null) {
            a.putValue("Bundle-ManifestVersion", "2");
            a.putValue("Bundle-SymbolicName", bsn);
            a.putValue("Bundle-Version", "1.2.3");
        }
        Path out = dir.resolve(name);
        try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(out), mf)) {
            j.putNextEntry(new JarEntry("x/data.txt"));
            j.write("payload".getBytes());
            j.closeEntry();
        }
        return out;
    }

    private static Path sign(Path jar, Path keystore, String name) throws Exception {
        String alias = keystore.getFileName().toString().replace(".p12", "");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASSWORD);
        }
        JarSigner signer = new JarSigner.Builder((PrivateKey) ks.getKey(alias, PASSWORD), CertificateFactory
                .getInstance("X.509").generateCertPath(Arrays.asList(ks.getCertificateChain(alias)))).build();
        Path out = dir.resolve(name);
        try (ZipFile in = new ZipFile(jar.toFile()); OutputStream o = Files.newOutputStream(out)) {
            signer.sign(in, o);
        }
        return out;
    }

    private static Candidate check(Path jar, boolean requireSigned) throws Exception {
        return JarCheck.inspect(jar, Files.size(jar), Optional.of(Sha256.of(jar)), new JarCheck.Policy(
                requireSigned, trust));
    }

    private static String refused(Path jar, boolean requireSigned) {
        return assertThrows(Refused.class, () -> check(jar, requireSigned)).getMessage();
    }

    @Test
    void aBundleSignedByTheTrustedKeyPasses() throws Exception {
        Candidate c = check(sign(bundle("good.jar", "io.x;singleton:=true"), trusted, "good-signed.jar"), true);
        assertEquals("io.x", c.symbolicName());
        assertEquals("1.2.3", c.version().toString());
        assertTrue(c.signed());
    }

    @Test
    void everyBadJarIsRefusedWithItsReason() throws Exception {
        Path good = sign(bundle("g.jar", "io.x"), trusted, "g-signed.jar");
        assertTrue(assertThrows(Refused.class, () -> JarCheck.inspect(good, Files.size(good), Optional.of(
                "0".repeat(64)), new JarCheck.Policy(true, trust))).getMessage().startsWith("sha256 mismatch"));
        assertTrue(assertThrows(Refused.class, () -> JarCheck.inspect(good, Files.size(good) + 1, Optional.empty(),
                new JarCheck.Policy(true, trust))).getMessage().startsWith("transfer incomplete"));
        assertTrue(refused(sign(bundle("s.jar", "io.x"), stranger, "s-signed.jar"), true)
                .startsWith("signature: not signed by a trusted certificate"));
        assertEquals("unsigned bundle refused by policy requireSigned", refused(bundle("u.jar", "io.x"), true));
        assertEquals("not an OSGi bundle (no Bundle-SymbolicName)", refused(sign(bundle("p.jar", null), trusted,
                "p-signed.jar"), true));
        Path notAJar = Files.writeString(dir.resolve("text.jar"), "hello");
        assertTrue(refused(notAJar, false).startsWith("not a jar"));
        // one byte of the signed content changed: the digest no longer matches
        sign(bundle("t.jar", "io.x"), trusted, "t-signed.jar");
        Path tampered = dir.resolve("tampered.jar");
        try (ZipFile in = new ZipFile(dir.resolve("t-signed.jar").toFile());
                JarOutputStream o = new JarOutputStream(Files.newOutputStream(tampered))) {
            for (var e : List.copyOf(java.util.Collections.list(in.entries()))) {
                byte[] data = in.getInputStream(e).readAllBytes();
                if (e.getName().equals("x/data.txt")) {
                    data[0] ^= 1;
                }
                o.putNextEntry(new JarEntry(e.getName()));
                o.write(data);
                o.closeEntry();
            }
        }
        assertTrue(refused(tampered, true).startsWith("signature: invalid"));
    }

    @Test
    void unsignedPassesWhenThePolicyAllowsAndNoTrustIsConfigured() throws Exception {
        Path u = bundle("u2.jar", "io.y");
        Candidate c = JarCheck.inspect(u, Files.size(u), Optional.empty(), new JarCheck.Policy(false,
                new TrustStore(Set.of())));
        assertEquals("io.y", c.symbolicName());
    }
}
