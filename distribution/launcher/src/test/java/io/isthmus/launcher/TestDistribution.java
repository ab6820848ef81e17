package io.isthmus.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Builds small but real distributions for tests: bundle jars with a manifest, features, a profile. */
final class TestDistribution {
    final Path home;

    TestDistribution(Path home) throws IOException {
        this.home = home;
        Files.createDirectories(home.resolve("features"));
        Files.createDirectories(home.resolve("etc"));
        Files.createDirectories(home.resolve("system"));
    }

    /** A real OSGi bundle (manifest only) placed in system/ at the Maven path of g:a:v. */
    Path bundle(String group, String artifact, String version, String bsn, String bundleVersion) throws IOException {
        Path jar = BundleRef.parse(group + ":" + artifact + ":" + version, 1).pathIn(home.resolve("system"));
        Files.createDirectories(jar.getParent());
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", bundleVersion);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
        return jar;
    }

    void feature(String name, String json) throws IOException {
        Files.writeString(home.resolve("features").resolve(name + ".json"), json);
    }

    void profile(String json) throws IOException {
        Files.writeString(home.resolve("etc/profile.json"), json);
    }

    Distribution distribution() {
        return new Distribution(home);
    }
}
