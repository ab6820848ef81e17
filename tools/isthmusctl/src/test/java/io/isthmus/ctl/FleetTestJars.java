package io.isthmus.ctl;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Bundle jars for the unit tests: a manifest and some incompressible bytes. */
final class FleetTestJars {
    private FleetTestJars() {
    }

    static Path bundle(Path dir, String bsn, String version, int payloadBytes) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (bsn != null) {
            m.getMainAttributes().putValue("Bundle-SymbolicName", bsn + ";singleton:=true");
            m.getMainAttributes().putValue("Bundle-Version", version);
        }
        Path jar = dir.resolve((bsn == null ? "plain" : bsn) + "-" + version + ".jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.putNextEntry(new JarEntry("payload.bin"));
            byte[] data = new byte[payloadBytes];
            new Random(42).nextBytes(data);
            j.write(data);
            j.closeEntry();
        }
        return jar;
    }
}
