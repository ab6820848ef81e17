package io.isthmus.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The class-data sharing (AppCDS) archive of this installation, {@code <state>/cds/classes.jsa}: bin/isthmus
 * starts the JVM with it when it exists. Without one, a start records (-XX:ArchiveClassesAtExit: the JVM writes
 * the archive as it exits) when the previous start left the marker {@code cds/record}; otherwise it starts plainly.
 * A plain start leaves the marker once it has run for a while (5 min by default, {@code -Disthmus.cds.delay=SECONDS})
 * and only when its JVM has the JDK's base archive (a JVM told to record without one refuses to start): quick
 * restarts (tests, a crash loop) never pay for writing an archive at their stop. The archive holds every class
 * loaded by then: the JDK's beyond its base archive, the launcher's, Felix's and the bundles' (JDK 17 matches
 * those of bundle class loaders by size and CRC when the bundle defines them, so a changed bundle simply misses).
 * Writing it at exit, not at runtime, keeps a running gateway from a pause and from the ~50 MiB a runtime dump
 * leaves resident. An archive the JVM did not map (another JVM or options, damaged or cut short: the JVM ignores
 * it, its warning silenced) or made for other bundles, jars or JVM is dropped, and the next start records anew.
 */
final class ClassDataArchive {
    static final String DIR_PROPERTY = "isthmus.cds.dir";
    static final String MODE_PROPERTY = "isthmus.cds";
    static final String DELAY_PROPERTY = "isthmus.cds.delay";
    static final long DEFAULT_DELAY_S = 300;

    /** What bin/isthmus started: no archive and not recording, recording, or with the archive. */
    enum Mode { PLAIN, RECORD, USE }

    private final Path dir;
    private final Path archive;
    private final Mode mode;
    private final PrintStream out;
    private final Predicate<Path> mapped;
    private final long delayMs;

    ClassDataArchive(Path dir, Mode mode, PrintStream out, Predicate<Path> mapped, long delayMs) {
        this.dir = dir.toAbsolutePath().normalize();
        this.archive = this.dir.resolve("classes.jsa");
        this.mode = mode;
        this.out = out;
        this.mapped = mapped;
        this.delayMs = delayMs;
    }

    /** From what bin/isthmus passed: {@code -Disthmus.cds.dir=DIR -Disthmus.cds=plain|record|use}; else none. */
    static Optional<ClassDataArchive> fromSystemProperties(PrintStream out) {
        String dir = System.getProperty(DIR_PROPERTY, "");
        Optional<Mode> mode = switch (System.getProperty(MODE_PROPERTY, "")) {
            case "plain" -> Optional.of(Mode.PLAIN);
            case "record" -> Optional.of(Mode.RECORD);
            case "use" -> Optional.of(Mode.USE);
            default -> Optional.empty();
        };
        if (dir.isEmpty() || mode.isEmpty()) {
            return Optional.empty();
        }
        long delayS = DEFAULT_DELAY_S;
        try {
            delayS = Math.max(0, Long.parseLong(System.getProperty(DELAY_PROPERTY, String.valueOf(DEFAULT_DELAY_S))));
        } catch (NumberFormatException e) {
            out.println("isthmus: class-data archive: -D" + DELAY_PROPERTY + " is not a number of seconds; using "
                    + DEFAULT_DELAY_S);
        }
        return Optional.of(new ClassDataArchive(Path.of(dir), mode.get(), out, ClassDataArchive::mappedByThisProcess,
                delayS * 1000));
    }

    Path archive() {
        return archive;
    }

    Path keyFile() {
        return archive.resolveSibling(archive.getFileName() + ".key");
    }

    /** Left for bin/isthmus: the next start records (bin/isthmus removes it before it starts the JVM). */
    Path recordMarker() {
        return dir.resolve("record");
    }

    /**
     * Where a recording JVM logs the classes it loads ({@code -Xlog:class+load} from bin/isthmus): name and source
     * (a bundle's location, a jar, jrt:/), read by {@link #linkLoaded} at the stop.
     */
    Path loadedLog() {
        return dir.resolve("classes.loaded");
    }

    /**
     * Recording, at the stop while the bundles' class loaders are still there: links every class the log names
     * that a bundle, the class path or the JDK loaded. The JVM archives only linked classes, and ~270 of a boot's
     * (most of Jackson databind's, loaded by reflection or for verification) are loaded but never linked, so
     * every warm start parsed and verified them again. Reflecting on a class makes HotSpot link it; nothing is
     * initialized. Returns how many were linked; never fails the stop.
     */
    int linkLoaded(BundleContext system) {
        if (mode != Mode.RECORD || system == null || !Files.isRegularFile(loadedLog())) {
            return 0; // system: none once the framework has stopped (a boot that failed)
        }
        Map<String, ClassLoader> loaders = new HashMap<>();
        try {
            for (Bundle b : system.getBundles()) {
                BundleWiring wiring = b.adapt(BundleWiring.class);
                if (wiring != null && wiring.getClassLoader() != null) {
                    loaders.put(b.getLocation(), wiring.getClassLoader());
                }
            }
        } catch (IllegalStateException stopped) {
            return 0;
        }
        int linked = 0;
        try (BufferedReader r = Files.newBufferedReader(loadedLog(), StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                int at = line.indexOf(" source: ");
                if (at < 0) {
                    continue;
                }
                String source = line.substring(at + " source: ".length());
                ClassLoader loader = source.startsWith("file:") ? ClassLoader.getSystemClassLoader()
                        : source.startsWith("jrt:/") ? ClassLoader.getPlatformClassLoader() : loaders.get(source);
                if (loader == null) {
                    continue; // the base archive's, spun at run time (lambdas, method handles), another loader's
                }
                try {
                    Class.forName(line.substring(0, at), false, loader).getDeclaredFields();
                    linked++;
                } catch (ClassNotFoundException | LinkageError | SecurityException e) {
                    // not loadable from there after all, or not linkable (a missing optional dependency): skipped
                }
            }
        } catch (IOException e) {
            out.println("isthmus: class-data archive: cannot read " + loadedLog() + ": " + e.getMessage());
        }
        try {
            Files.deleteIfExists(loadedLog());
        } catch (IOException e) {
            // left for the next recording, which writes it anew
        }
        return linked;
    }

    /** The JVM runs with the JDK's base archive ("sharing" in java.vm.info): recording would work. */
    static boolean baseArchiveInUse() {
        return System.getProperty("java.vm.info", "").contains("sharing");
    }

    /**
     * After ready. Plain: leave the marker after the delay (a daemon thread; nothing when the framework stops
     * first). Recording: write the key of this start's bundles, jars and JVM (the JVM writes the archive at
     * exit). With an archive: drop it when the JVM did not map it or it was made for other bundles, jars or JVM,
     * and leave the marker (when the JVM runs with the base archive, which a damaged top archive also takes away). Never fails the boot: a problem is one line on stdout.
     */
    void afterReady(BundleContext system) {
        switch (mode) {
            case PLAIN -> {
                Thread t = new Thread(() -> {
                    try {
                        Thread.sleep(delayMs);
                        system.getBundle(); // throws once the framework has stopped
                        leaveRecordMarker();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (IllegalStateException e) {
                        // stopped before the delay was over: the next start is plain again
                    }
                }, "isthmus-cds");
                t.setDaemon(true);
                t.start();
            }
            case RECORD -> {
                try {
                    Files2.writeAtomically(keyFile(), key(system));
                    out.println("isthmus: class-data archive: recording; the JVM writes " + archive + " when it exits");
                } catch (IOException e) {
                    out.println("isthmus: class-data archive: cannot write " + keyFile() + ": " + e.getMessage());
                }
            }
            case USE -> dropWhenStale(system);
        }
    }

    private void dropWhenStale(BundleContext system) {
        Optional<String> stale = !mapped.test(archive) ? Optional.of("not mapped by this JVM")
                : !key(system).equals(readKey()) ? Optional.of("made for other bundles, jars or JVM") : Optional.empty();
        if (stale.isEmpty()) {
            return;
        }
        try {
            Files.deleteIfExists(keyFile());
            Files.deleteIfExists(archive);
            // a JVM given a damaged archive runs without the JDK's base archive too: then a plain start comes first
            out.println("isthmus: class-data archive: " + archive + " dropped (" + stale.get() + "); "
                    + (baseArchiveInUse() ? "the next start" : "a later start") + " records a new one");
            leaveRecordMarker();
        } catch (IOException e) {
            out.println("isthmus: class-data archive: " + archive + " is stale (" + stale.get()
                    + ") and cannot be removed: " + e.getMessage());
        }
    }

    private void leaveRecordMarker() {
        if (!baseArchiveInUse()) {
            return;
        }
        try {
            Files.createDirectories(dir);
            if (!Files.exists(recordMarker())) {
                Files.createFile(recordMarker());
            }
        } catch (IOException e) {
            out.println("isthmus: class-data archive: cannot leave " + recordMarker() + ": " + e.getMessage());
        }
    }

    private String readKey() {
        try {
            return Files.readString(keyFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * What the archive was made for: the JVM, the class path jars (size, modification time) and every installed
     * bundle (location, last modified: changed by an install, update or uninstall, also a field update).
     */
    static String key(BundleContext system) {
        StringBuilder sb = new StringBuilder();
        sb.append("jvm ").append(System.getProperty("java.home")).append(' ')
                .append(System.getProperty("java.vm.version")).append('\n');
        for (String entry : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            try {
                sb.append("jar ").append(p.toAbsolutePath().normalize()).append(' ').append(Files.size(p)).append(' ')
                        .append(Files.getLastModifiedTime(p).toMillis()).append('\n');
            } catch (IOException | RuntimeException e) {
                sb.append("jar ").append(entry).append(" missing\n");
            }
        }
        Bundle[] bundles = system.getBundles();
        Arrays.sort(bundles, Comparator.comparingLong(Bundle::getBundleId));
        for (Bundle b : bundles) {
            if (b.getBundleId() != 0) {
                sb.append("bundle ").append(b.getBundleId()).append(' ').append(b.getLocation()).append(' ')
                        .append(b.getLastModified()).append('\n');
            }
        }
        return sb.toString();
    }

    /** Whether the JVM mapped the archive: its file (real path, as the kernel names it) is among this process's mappings. */
    private static boolean mappedByThisProcess(Path file) {
        String real;
        try {
            real = file.toRealPath().toString();
        } catch (IOException e) {
            return false; // gone: nothing to drop either
        }
        try {
            return Files.readString(Path.of("/proc/self/maps"), StandardCharsets.UTF_8).contains(real);
        } catch (IOException e) {
            return true; // no way to tell: keep it, the key still catches other bundles, jars or JVM
        }
    }
}
