package io.isthmus.itests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipFile;
import jdk.security.jarsigner.JarSigner;

/**
 * Bundles for the deploy tests, made at test time: a manifest written here, classes copied from the test classes
 * (package {@code io.isthmus.itests.deploybundle}), optional DS XML; signed with keys made by the JDK's keytool
 * through the JDK's own JarSigner API — the same kind of signature jarsigner writes.
 */
final class DeployBundles {
    static final String PROBE = "io.isthmus.test.probe";
    static final String PKG = "io/isthmus/itests/deploybundle/";
    static final char[] PASSWORD = "isthmus-test".toCharArray();

    /**
     * The probe classes, read once when the tests start: other builds in the same checkout may recompile the test
     * classes while a long test runs.
     */
    private static final Map<String, byte[]> CLASSES = new java.util.HashMap<>();

    static {
        for (String c : List.of("ProbeActivator", "FailingActivator", "Needy", "Nobody", "BrokerCutActivator")) {
            try (InputStream in = DeployBundles.class.getResourceAsStream("/" + PKG + c + ".class")) {
                CLASSES.put(c, in.readAllBytes());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private DeployBundles() {
    }

    /** A key pair with a self-signed certificate in {@code dir/alias.p12}; its certificate as PEM in {@code pem}. */
    static Path key(Path dir, String alias, Path pem, String... extraKeytoolArgs) throws Exception {
        Path ks = dir.resolve(alias + ".p12");
        List<String> cmd = new java.util.ArrayList<>(List.of(keytool(), "-genkeypair", "-alias", alias, "-keyalg",
                "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-validity", "3650", "-storetype",
                "PKCS12", "-keystore", ks.toString(), "-storepass", new String(PASSWORD), "-dname", "CN=" + alias
                        + ",O=Isthmus test"));
        cmd.addAll(Arrays.asList(extraKeytoolArgs));
        ok(cmd);
        Files.createDirectories(pem.toAbsolutePath().getParent());
        ok(List.of(keytool(), "-exportcert", "-rfc", "-alias", alias, "-keystore", ks.toString(), "-storepass",
                new String(PASSWORD), "-file", pem.toString()));
        return ks;
    }

    /** Signs {@code jar} with the key in {@code keystore} (alias = file name without .p12) into {@code signed}. */
    static Path sign(Path jar, Path keystore, Path signed) throws Exception {
        String alias = keystore.getFileName().toString().replace(".p12", "");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASSWORD);
        }
        PrivateKey key = (PrivateKey) ks.getKey(alias, PASSWORD);
        var path = CertificateFactory.getInstance("X.509").generateCertPath(Arrays.asList(ks.getCertificateChain(
                alias)));
        JarSigner signer = new JarSigner.Builder(key, path).digestAlgorithm("SHA-256").build();
        try (ZipFile in = new ZipFile(jar.toFile()); OutputStream out = Files.newOutputStream(signed)) {
            signer.sign(in, out);
        }
        return signed;
    }

    /** A probe bundle: the manifest headers given (on top of the OSGi basics), the named classes, extra files. */
    static Path probe(Path out, String version, Map<String, String> headers, List<String> classes,
            Map<String, String> files) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", PROBE);
        a.putValue("Bundle-Version", version);
        headers.forEach(a::putValue);
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(out), mf)) {
            for (String c : classes) {
                jar.putNextEntry(new JarEntry(PKG + c + ".class"));
                jar.write(CLASSES.get(c));
                jar.closeEntry();
            }
            for (Map.Entry<String, String> f : files.entrySet()) {
                jar.putNextEntry(new JarEntry(f.getKey()));
                jar.write(f.getValue().getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
        }
        return out;
    }

    static final String IMPORTS = "org.osgi.framework;version=\"[1.8,2)\",io.isthmus.api.deploy;version=\"[1.0,2)\"";

    /** Starts, registers a passing health check. */
    static Path good(Path dir, String version) throws IOException {
        return probe(dir.resolve("probe-good-" + version + ".jar"), version, Map.of("Bundle-Activator",
                "io.isthmus.itests.deploybundle.ProbeActivator", "Import-Package", IMPORTS), List.of("ProbeActivator"),
                Map.of());
    }

    /** Same size class as {@code good}, padded with {@code padding} bytes of incompressible data. */
    static Path padded(Path dir, String version, int padding) throws IOException {
        Path probe = probe(dir.resolve("probe-unpadded-" + version + ".jar"), version, Map.of("Bundle-Activator",
                "io.isthmus.itests.deploybundle.ProbeActivator", "Import-Package", IMPORTS), List.of("ProbeActivator"),
                Map.of());
        return withVersion(probe, version, dir.resolve("probe-padded-" + version + ".jar"), padding);
    }

    static Path failing(Path dir, String version) throws IOException {
        return probe(dir.resolve("probe-failing.jar"), version, Map.of("Bundle-Activator",
                "io.isthmus.itests.deploybundle.FailingActivator", "Import-Package",
                "org.osgi.framework;version=\"[1.8,2)\""), List.of("FailingActivator"), Map.of());
    }

    static Path needy(Path dir, String version) throws IOException {
        String xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.3.0" name="io.isthmus.test.Needy" immediate="true">
                  <implementation class="io.isthmus.itests.deploybundle.Needy"/>
                  <reference name="nobody" interface="io.isthmus.itests.deploybundle.Nobody" cardinality="1..1" policy="static"/>
                </scr:component>
                """;
        return probe(dir.resolve("probe-needy.jar"), version, Map.of("Service-Component", "OSGI-INF/needy.xml",
                "Require-Capability", "osgi.extender;filter:=\"(&(osgi.extender=osgi.component)(version>=1.3.0)"
                        + "(!(version>=2.0.0)))\""), List.of("Needy", "Nobody"), Map.of("OSGI-INF/needy.xml", xml));
    }

    static Path brokerCut(Path dir, String version) throws IOException {
        return probe(dir.resolve("probe-brokercut.jar"), version, Map.of("Bundle-Activator",
                "io.isthmus.itests.deploybundle.BrokerCutActivator", "Import-Package",
                "org.osgi.framework;version=\"[1.8,2)\",io.isthmus.api.linux;version=\"[1.0,2)\""),
                List.of("BrokerCutActivator"), Map.of());
    }

    static Path unresolvable(Path dir, String version) throws IOException {
        return probe(dir.resolve("probe-unresolvable.jar"), version, Map.of("Import-Package",
                "org.nowhere;version=\"[1.2,2)\""), List.of(), Map.of("readme.txt", "imports what nobody exports"));
    }

    /** A jar with a manifest but no Bundle-SymbolicName. */
    static Path notABundle(Path dir) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        Path out = dir.resolve("plain.jar");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(out), mf)) {
            jar.putNextEntry(new JarEntry("hello.txt"));
            jar.write("just a jar".getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return out;
    }

    /** {@code jar} under another Bundle-Version, without the signatures of the original. */
    static Path withVersion(Path jar, String version, Path out) throws IOException {
        return withVersion(jar, version, out, 0);
    }

    /**
     * The same with {@code padding} bytes of incompressible data in an extra, stored entry (so the jar really has
     * that size): a big bundle for transfers.
     */
    static Path withVersion(Path jar, String version, Path out, int padding) throws IOException {
        try (JarFile in = new JarFile(jar.toFile())) {
            Manifest mf = new Manifest(in.getManifest());
            mf.getMainAttributes().putValue("Bundle-Version", version);
            mf.getEntries().clear(); // per-entry digests of a signature that no longer applies
            try (JarOutputStream o = new JarOutputStream(Files.newOutputStream(out), mf)) {
                for (Enumeration<JarEntry> en = in.entries(); en.hasMoreElements();) {
                    JarEntry e = en.nextElement();
                    String n = e.getName().toUpperCase(java.util.Locale.ROOT);
                    if (n.equals("META-INF/MANIFEST.MF") || n.matches("META-INF/[^/]+\\.(SF|RSA|DSA|EC)")) {
                        continue;
                    }
                    o.putNextEntry(new JarEntry(e.getName()));
                    in.getInputStream(e).transferTo(o);
                    o.closeEntry();
                }
                if (padding > 0) {
                    byte[] noise = new byte[padding];
                    new java.util.Random(42).nextBytes(noise);
                    JarEntry n = new JarEntry("padding.bin");
                    n.setMethod(JarEntry.STORED);
                    n.setSize(noise.length);
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(noise);
                    n.setCrc(crc.getValue());
                    o.putNextEntry(n);
                    o.write(noise);
                    o.closeEntry();
                }
            }
        }
        return out;
    }

    static Path rebuiltFromDistribution(String profile, String artifact, String version, Path keystore, Path dir)
            throws Exception {
        Path home = Distribution.root().resolve("distribution/target/isthmus-" + profile + "/system/io/isthmus/"
                + artifact);
        Path jar;
        try (java.util.stream.Stream<Path> s = Files.walk(home)) {
            jar = s.filter(p -> p.toString().endsWith(".jar")).findFirst().orElseThrow();
        }
        Path out = withVersion(jar, version, dir.resolve(artifact + "-" + version + ".jar"));
        return sign(out, keystore, dir.resolve(artifact + "-" + version + "-signed.jar"));
    }

    static Map<String, Object> describe(Path jar) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sha256", sha256(jar));
        m.put("size", Files.size(jar));
        return m;
    }

    static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(
                Files.readAllBytes(file)));
    }

    private static String keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }

    private static void ok(List<String> cmd) throws IOException, InterruptedException {
        Lab.Result r = Lab.run(cmd, Duration.ofSeconds(30));
        if (!r.ok()) {
            throw new IllegalStateException(cmd + ": " + r.out() + r.err());
        }
    }
}
