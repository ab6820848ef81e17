package io.isthmus.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundle jars of a distribution: stored uncompressed, otherwise the jar the build made. */
class AssemblerTest {
    @TempDir
    Path dir;

    @Test
    void aBundleJarIsStoredWithTheSameEntriesOrderTimesAndContents() throws Exception {
        Path jar = dir.resolve("in.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Bundle-SymbolicName", "probe");
        long time = 1_700_000_000_000L;
        try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o, m)) {
            for (String name : List.of("io/", "io/A.class", "OSGI-INF/a.xml")) {
                ZipEntry e = new ZipEntry(name);
                e.setTime(time);
                j.putNextEntry(e);
                if (!name.endsWith("/")) {
                    j.write(("content of " + name + " ").repeat(50).getBytes(StandardCharsets.UTF_8));
                }
                j.closeEntry();
            }
        }
        Files.setLastModifiedTime(jar, FileTime.fromMillis(time));
        Path out = dir.resolve("system/probe.jar");
        Assembler.storeUncompressed(jar, out);

        try (ZipFile before = new ZipFile(jar.toFile()); ZipFile after = new ZipFile(out.toFile())) {
            List<? extends ZipEntry> b = before.stream().toList();
            List<? extends ZipEntry> a = after.stream().toList();
            assertEquals(b.stream().map(ZipEntry::getName).toList(), a.stream().map(ZipEntry::getName).toList());
            for (int i = 0; i < a.size(); i++) {
                assertEquals(ZipEntry.STORED, a.get(i).getMethod(), a.get(i).getName());
                assertEquals(b.get(i).getTime(), a.get(i).getTime(), a.get(i).getName());
                assertArrayEquals(before.getInputStream(b.get(i)).readAllBytes(),
                        after.getInputStream(a.get(i)).readAllBytes(), a.get(i).getName());
            }
        }
        try (JarFile read = new JarFile(out.toFile())) {
            assertEquals("probe", read.getManifest().getMainAttributes().getValue("Bundle-SymbolicName"));
        }
        assertEquals(Files.getLastModifiedTime(jar), Files.getLastModifiedTime(out));
    }
}
