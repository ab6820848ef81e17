package io.isthmus.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleIndexTest {
    static final String LOCATION = "isthmus:io.isthmus:io.isthmus.firewall";

    @Test
    void aJarIsHashedAgainOnlyWhenItsFileIsANewOne(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("firewall.jar");
        Files.writeString(jar, "version one", StandardCharsets.UTF_8);
        BundleIndex index = BundleIndex.load(dir.resolve("bundles.json"));
        String first = index.jarHash(LOCATION, jar);
        assertEquals(Files2.sha256(jar), first);
        index.bundleInstalled(LOCATION, first, jar);
        index.save();

        // a later boot: the recorded hash stands for the same file (a wrong record proves it was not recomputed)
        BundleIndex reloaded = BundleIndex.load(dir.resolve("bundles.json"));
        reloaded.bundleInstalled(LOCATION, "recorded", jar);
        assertEquals("recorded", reloaded.jarHash(LOCATION, jar));

        // an upgrade writes a new file: same size, same modification time, other content -> hashed again
        FileTime mtime = Files.getLastModifiedTime(jar);
        Path upgrade = dir.resolve("firewall.jar.new");
        Files.writeString(upgrade, "version two", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(upgrade, mtime);
        Files.move(upgrade, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertEquals(Files2.sha256(jar), reloaded.jarHash(LOCATION, jar));
    }
}
