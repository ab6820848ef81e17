package io.isthmus.ctl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/** What the deploy protocol needs to know about a bundle jar before sending it: size, SHA-256, name, version. */
record BundleJar(Path file, long size, String sha256, String symbolicName, String version) {

    /** Reads the jar; an {@link IllegalArgumentException} with a clear message when it is no OSGi bundle. */
    static BundleJar read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        Manifest manifest;
        try (JarFile jar = new JarFile(file.toFile())) {
            manifest = jar.getManifest();
        } catch (java.util.zip.ZipException e) {
            throw new IllegalArgumentException(file + ": not a jar (" + e.getMessage() + ")");
        }
        String bsn = manifest == null ? null : manifest.getMainAttributes().getValue("Bundle-SymbolicName");
        if (bsn == null || bsn.isBlank()) {
            throw new IllegalArgumentException(file + ": not an OSGi bundle (no Bundle-SymbolicName)");
        }
        String version = manifest.getMainAttributes().getValue("Bundle-Version");
        return new BundleJar(file, Files.size(file), sha256(file), bsn.split(";")[0].strip(),
                version == null ? "0.0.0" : version.strip());
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0;) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Number of chunks of {@code chunkSize} bytes (the last one may be shorter). */
    int chunks(int chunkSize) {
        return (int) Math.max(1, (size + chunkSize - 1) / chunkSize);
    }
}
