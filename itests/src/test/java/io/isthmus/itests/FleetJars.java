package io.isthmus.itests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * New versions of a distribution bundle for rollouts, signed as an operator would ship them: the same classes
 * under another Bundle-Version, signed by a key of the test's own (DeployBundles' keytool keys and JarSigner), whose
 * certificate goes into the trust store of the gateways that should accept it.
 */
final class FleetJars {
    private final Path dir;
    private final String alias;
    private final Path keystore;
    private final Path certificate;

    private FleetJars(Path dir, String alias, Path keystore, Path certificate) {
        this.dir = dir;
        this.alias = alias;
        this.keystore = keystore;
        this.certificate = certificate;
    }

    /** A fresh key pair with a self-signed certificate {@code CN=<alias>}. */
    static FleetJars signer(Path dir, String alias) throws Exception {
        Files.createDirectories(dir);
        Path pem = dir.resolve(alias + ".pem");
        return new FleetJars(dir, alias, DeployBundles.key(dir, alias, pem), pem);
    }

    /** The signer's certificate (PEM) into {@code <state>/deploy/trusted/} of a gateway. */
    void trustIn(Path state) throws Exception {
        Path trusted = Files.createDirectories(state.resolve("deploy/trusted"));
        Files.copy(certificate, trusted.resolve(alias + ".pem"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** {@code jar} with {@code version} as its Bundle-Version (signatures of the original dropped), signed. */
    Path version(Path jar, String version) throws Exception {
        return version(jar, version, 0);
    }

    /** The same with {@code padding} incompressible bytes in an extra resource: a big bundle for transfers. */
    Path version(Path jar, String version, int padding) throws Exception {
        String name = jar.getFileName().toString().replace(".jar", "-" + version);
        Path unsigned = DeployBundles.withVersion(jar, version, dir.resolve(name + "-unsigned.jar"), padding);
        return DeployBundles.sign(unsigned, keystore, dir.resolve(name + ".jar"));
    }
}
