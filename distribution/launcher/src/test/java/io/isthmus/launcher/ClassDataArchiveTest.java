package io.isthmus.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/**
 * The archive's life cycle after ready, on a real Felix framework. The JVM's own part (writing the archive at
 * exit, mapping it) cannot happen in a test JVM: a file stands in for the archive and a predicate says whether
 * the JVM mapped it. The real archive is covered by LauncherCliIT (bin/isthmus, a real JVM).
 */
class ClassDataArchiveTest {
    @TempDir
    Path dir;

    private Framework framework;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @BeforeEach
    void start() throws Exception {
        framework = new FrameworkFactory().newFramework(Map.of(Constants.FRAMEWORK_STORAGE,
                dir.resolve("cache").toString(), Constants.FRAMEWORK_STORAGE_CLEAN, "onFirstInit"));
        framework.start();
    }

    @AfterEach
    void stop() throws Exception {
        framework.stop();
        framework.waitForStop(5000);
    }

    private Path bundleJar(String name, String version) throws Exception {
        Path jar = dir.resolve(name + "-" + version + ".jar");
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", name);
        a.putValue("Bundle-Version", version);
        try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o, m)) {
            j.flush();
        }
        return jar;
    }

    private ClassDataArchive archive(ClassDataArchive.Mode mode, boolean mapped, long delayMs) {
        return new ClassDataArchive(dir.resolve("state/cds"), mode, out, file -> mapped, delayMs);
    }

    /** A recording start's key and a stand-in for what its JVM wrote at exit. */
    private ClassDataArchive recorded() throws Exception {
        ClassDataArchive recording = archive(ClassDataArchive.Mode.RECORD, false, 0);
        recording.afterReady(framework.getBundleContext());
        Files.writeString(recording.archive(), "archive");
        return recording;
    }

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static boolean poll(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (long end = System.nanoTime() + 5_000_000_000L; System.nanoTime() < end;) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }

    /** A class for a bundle of its own: only java.lang to resolve. */
    static final class Linked {
        int field;
    }

    /**
     * At a recording start's stop, every class the JVM's class-load log names is linked through the loader that
     * loaded it (a bundle's, by its location; the JDK's); spun classes, unknown sources and classes that cannot be
     * found are skipped, and the log is gone afterwards. Other starts leave the log alone.
     */
    @Test
    void aRecordingStopLinksTheLoggedClassesOfBundlesAndTheJdkAndDropsTheLog() throws Exception {
        String entry = Linked.class.getName().replace('.', '/') + ".class";
        Path jar = bundleJar("linked", "1.0.0");
        Path withClass = dir.resolve("linked-class.jar");
        try (java.util.jar.JarInputStream in = new java.util.jar.JarInputStream(Files.newInputStream(jar));
                JarOutputStream j = new JarOutputStream(Files.newOutputStream(withClass), in.getManifest());
                java.io.InputStream c = Linked.class.getClassLoader().getResourceAsStream(entry)) {
            j.putNextEntry(new java.util.jar.JarEntry(entry));
            c.transferTo(j);
            j.closeEntry();
        }
        Bundle bundle = framework.getBundleContext().installBundle("isthmus:test:linked", Files.newInputStream(withClass));
        bundle.start();
        ClassDataArchive plain = archive(ClassDataArchive.Mode.PLAIN, false, 0);
        Files.createDirectories(plain.loadedLog().getParent());
        Files.writeString(plain.loadedLog(), String.join("\n",
                Linked.class.getName() + " source: isthmus:test:linked",
                "java.lang.String source: shared objects file",
                "java.net.http.HttpClient source: jrt:/java.net.http",
                "io.isthmus.Gone source: isthmus:test:linked",
                "io.isthmus.X$$Lambda$12/0x0000000800c01234 source: io.isthmus.X",
                "io.isthmus.Y source: isthmus:test:not-installed",
                "not a class-load line"));
        assertEquals(0, plain.linkLoaded(framework.getBundleContext()), "only a recording start links");
        assertTrue(Files.exists(plain.loadedLog()));

        ClassDataArchive recording = archive(ClassDataArchive.Mode.RECORD, false, 0);
        assertEquals(2, recording.linkLoaded(framework.getBundleContext()), "the bundle's class and the JDK's");
        assertFalse(Files.exists(recording.loadedLog()));
        ClassLoader bundleLoader = bundle.adapt(org.osgi.framework.wiring.BundleWiring.class).getClassLoader();
        assertEquals(bundleLoader, Class.forName(Linked.class.getName(), false, bundleLoader).getClassLoader());
        assertEquals(0, recording.linkLoaded(framework.getBundleContext()), "no log: nothing to do");
    }

    /** The test JVM runs with the JDK's base archive, as the gateway's does: recording would work. */
    @Test
    void aPlainStartLeavesTheMarkerForTheNextStartToRecordAfterTheDelay() throws Exception {
        assertTrue(ClassDataArchive.baseArchiveInUse(), "this JDK runs with its base archive");
        ClassDataArchive plain = archive(ClassDataArchive.Mode.PLAIN, false, 200);
        plain.afterReady(framework.getBundleContext());
        assertFalse(Files.exists(plain.recordMarker()), "not before the delay");
        assertTrue(poll(() -> Files.isRegularFile(plain.recordMarker())));
        assertFalse(Files.exists(plain.archive()));
        assertEquals("", output());
    }

    @Test
    void aPlainStartStoppedBeforeTheDelayLeavesNoMarker() throws Exception {
        ClassDataArchive plain = archive(ClassDataArchive.Mode.PLAIN, false, 300);
        plain.afterReady(framework.getBundleContext());
        framework.stop();
        framework.waitForStop(5000);
        Thread.sleep(600); // the delay passes; there is no event to wait for when nothing happens
        assertFalse(Files.exists(plain.recordMarker()));
        framework.start(); // for stop()
    }

    @Test
    void aRecordingStartWritesTheKeyAndTheNextStartKeepsTheArchive() throws Exception {
        ClassDataArchive recording = recorded();
        assertTrue(Files.isRegularFile(recording.keyFile()), output());
        assertTrue(output().contains("isthmus: class-data archive: recording; the JVM writes " + recording.archive()
                + " when it exits"), output());

        archive(ClassDataArchive.Mode.USE, true, 0).afterReady(framework.getBundleContext());
        assertTrue(Files.isRegularFile(recording.archive()), "kept: " + output());
        assertFalse(output().contains("dropped"), output());
        assertFalse(Files.exists(recording.recordMarker()));
    }

    @Test
    void anArchiveTheJvmDidNotMapIsDroppedAndTheNextStartRecords() throws Exception {
        recorded();
        ClassDataArchive given = archive(ClassDataArchive.Mode.USE, false, 0);
        given.afterReady(framework.getBundleContext());
        assertFalse(Files.exists(given.archive()), output());
        assertFalse(Files.exists(given.keyFile()), output());
        assertTrue(output().contains("class-data archive: " + given.archive()
                + " dropped (not mapped by this JVM); the next start records a new one"), output());
        assertTrue(Files.isRegularFile(given.recordMarker()), "the next start records");
    }

    @Test
    void anArchiveMadeBeforeABundleWasUpdatedIsDropped() throws Exception {
        Bundle b = framework.getBundleContext().installBundle("isthmus:test:b",
                Files.newInputStream(bundleJar("b", "1.0.0")));
        String before = ClassDataArchive.key(framework.getBundleContext());
        recorded();
        Thread.sleep(5); // an update's last-modified time has millisecond resolution
        b.update(Files.newInputStream(bundleJar("b", "1.0.1")));
        assertNotEquals(before, ClassDataArchive.key(framework.getBundleContext()));

        ClassDataArchive given = archive(ClassDataArchive.Mode.USE, true, 0);
        given.afterReady(framework.getBundleContext());
        assertFalse(Files.exists(given.archive()), output());
        assertTrue(output().contains("dropped (made for other bundles, jars or JVM)"), output());
        assertTrue(Files.isRegularFile(given.recordMarker()));
    }

    @Test
    void anArchiveWithoutItsKeyIsDropped() throws Exception {
        ClassDataArchive recording = recorded();
        Files.delete(recording.keyFile());
        ClassDataArchive given = archive(ClassDataArchive.Mode.USE, true, 0);
        given.afterReady(framework.getBundleContext());
        assertFalse(Files.exists(given.archive()), output());
    }
}
