package io.isthmus.itests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * New versions of a distribution bundle for rollouts, signed as an operator would ship them: the same classes
 * under another Bundle-Version, signed with jarsigner by a key of the test's own (keytool), whose certificate
 * goes into the trust store of the gateways that should accept it.
 */
final class FleetJars {
    private final Path dir;
    private final String alias;

    private FleetJars(Path dir, String alias) {
        this.dir = dir;
        this.alias = alias;
    }

    /** A fresh EC key pair with a self-signed certificate {@code CN=<alias>}. */
    static FleetJars signer(Path dir, String alias) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        FleetJars s = new FleetJars(dir, alias);
        run(tool("keytool"), "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1",
                "-keystore", s.keystore().toString(), "-storetype", "pkcs12", "-storepass", "secret",
                "-dname", "CN=" + alias, "-validity", "7");
        return s;
    }

    private Path keystore() {
        return dir.resolve(alias + ".p12");
    }

    /** The signer's certificate (PEM) into {@code <state>/deploy/trusted/} of a gateway. */
    void trustIn(Path state) throws IOException, InterruptedException {
        Path trusted = Files.createDirectories(state.resolve("deploy/trusted"));
        Lab.Result r = run(tool("keytool"), "-exportcert", "-rfc", "-alias", alias, "-keystore",
                keystore().toString(), "-storepass", "secret");
        Files.writeString(trusted.resolve(alias + ".pem"), r.out());
    }

    /** {@code jar} with {@code version} as its Bundle-Version (signatures of the original dropped), signed. */
    Path version(Path jar, String version) throws IOException, InterruptedException {
        return version(jar, version, 0);
    }

    /** The same with {@code padding} incompressible bytes in an extra resource: a big bundle for transfers. */
    Path version(Path jar, String version, int padding) throws IOException, InterruptedException {
        Path out = dir.resolve(jar.getFileName().toString().replace(".jar", "-" + version + ".jar"));
        try (InputStream in = Files.newInputStream(jar); JarInputStream j = new JarInputStream(in)) {
            Manifest m = new Manifest(j.getManifest());
            m.getMainAttributes().putValue("Bundle-Version", version);
            m.getEntries().clear();
            try (OutputStream o = Files.newOutputStream(out); JarOutputStream w = new JarOutputStream(o, m)) {
                for (JarEntry e; (e = j.getNextJarEntry()) != null;) {
                    String n = e.getName().toUpperCase(java.util.Locale.ROOT);
                    if (n.startsWith("META-INF/") && (n.endsWith(".SF") || n.endsWith(".RSA") || n.endsWith(".EC")
                            || n.endsWith(".DSA"))) {
                        continue;
                    }
                    w.putNextEntry(new JarEntry(e.getName()));
                    j.transferTo(w);
                    w.closeEntry();
                }
                if (padding > 0) {
                    byte[] noise = new byte[padding];
                    new java.util.Random(padding).nextBytes(noise);
                    w.putNextEntry(new JarEntry("fleet-padding.bin"));
                    w.write(noise);
                    w.closeEntry();
                }
            }
        }
        run(tool("jarsigner"), "-keystore", keystore().toString(), "-storepass", "secret", out.toString(), alias);
        return out;
    }

    /** An HTTPS server's key (for {@code ip}, in its SAN) and a PKCS12 trust store holding its certificate. */
    record Tls(Path serverKeystore, Path trustStore) {
        static final String PASSWORD = "secret";
    }

    static Tls tls(Path dir, String ip) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path server = dir.resolve("files-server.p12");
        Path cert = dir.resolve("files-server.pem");
        Path trust = dir.resolve("files-trust.p12");
        run(tool("keytool"), "-genkeypair", "-alias", "files", "-keyalg", "EC", "-groupname", "secp256r1",
                "-keystore", server.toString(), "-storetype", "pkcs12", "-storepass", Tls.PASSWORD,
                "-dname", "CN=" + ip, "-ext", "san=ip:" + ip, "-validity", "7");
        Files.writeString(cert, run(tool("keytool"), "-exportcert", "-rfc", "-alias", "files", "-keystore",
                server.toString(), "-storepass", Tls.PASSWORD).out());
        run(tool("keytool"), "-importcert", "-noprompt", "-alias", "files", "-file", cert.toString(), "-keystore",
                trust.toString(), "-storetype", "pkcs12", "-storepass", Tls.PASSWORD);
        return new Tls(server, trust);
    }

    private static String tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private static Lab.Result run(String... cmd) throws IOException, InterruptedException {
        Lab.Result r = Lab.run(List.of(cmd), Duration.ofSeconds(60));
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + r.out() + r.err());
        }
        return r;
    }
}
