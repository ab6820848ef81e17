package io.isthmus.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Build step (run by distribution/pom.xml): for every device profile, resolves its features exactly as the
 * launcher will, fails the build on a missing feature or bundle, lays out {@code isthmus-<profile>/}, packs
 * {@code isthmus-<version>-<profile>.tar.gz}, and stages the profile under {@code deb/opt/isthmus/<profile>}.
 *
 * <p>Arguments: profilesDir featuresDir repositoryDir libDir distSourceDir outputDir version
 */
public final class Assembler {
    /** Features every distribution carries even when no profile names them (enabled by a run option). */
    static final List<String> OPTIONAL_FEATURES = List.of("shell");
    private static final Set<PosixFilePermission> EXECUTABLE = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE);

    private final Path features;
    private final Path repository;
    private final Path lib;
    private final Path distSource;
    private final Path output;
    private final String version;

    Assembler(Path features, Path repository, Path lib, Path distSource, Path output, String version) {
        this.features = features;
        this.repository = repository;
        this.lib = lib;
        this.distSource = distSource;
        this.output = output;
        this.version = version;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            throw new IllegalArgumentException(
                    "usage: Assembler profilesDir featuresDir repositoryDir libDir distSourceDir outputDir version");
        }
        Assembler assembler = new Assembler(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), Path.of(args[4]),
                Path.of(args[5]), args[6]);
        List<Path> profiles;
        try (Stream<Path> s = Files.list(Path.of(args[0]))) {
            profiles = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        if (profiles.isEmpty()) {
            throw new IllegalStateException(args[0] + ": no device profiles");
        }
        for (Path profile : profiles) {
            try {
                assembler.assemble(profile);
            } catch (LaunchException e) {
                throw new IllegalStateException("profile does not assemble: " + e.getMessage(), e);
            }
        }
    }

    void assemble(Path profileFile) throws LaunchException, IOException {
        ProfileFile profile = ProfileFile.read(profileFile);
        String expected = profileFile.getFileName().toString().replaceFirst("\\.json$", "");
        if (!profile.id().equals(expected)) {
            throw new LaunchException(profileFile + ": id \"" + profile.id() + "\" must match the file name");
        }
        LaunchPlan plan = LaunchPlan.resolve(profile, features, repository, OPTIONAL_FEATURES);
        Path home = output.resolve("isthmus-" + profile.id());
        Files2.deleteRecursively(home);
        Files.createDirectories(home.resolve("etc"));
        for (LaunchPlan.BundleSpec b : plan.bundles()) {
            storeUncompressed(b.jar(), b.ref().pathIn(home.resolve("system")));
        }
        List<String> featureNames = new ArrayList<>(profile.features());
        featureNames.addAll(OPTIONAL_FEATURES);
        for (String f : featureNames) {
            copy(features.resolve(f + ".json"), home.resolve("features").resolve(f + ".json"));
        }
        try (Stream<Path> jars = Files.list(lib)) {
            for (Path jar : (Iterable<Path>) jars.sorted()::iterator) {
                copy(jar, home.resolve("lib").resolve(jar.getFileName()));
            }
        }
        copy(profileFile, home.resolve("etc/profile.json"));
        Files.writeString(home.resolve("etc/network.json"), JsonFiles.write(profile.network()) + "\n");
        Files.writeString(home.resolve("etc/jvm.options"),
                "# JVM options of profile " + profile.id() + " (from its device profile)\n"
                        + String.join("\n", profile.jvmOptions()) + "\n");
        Files.writeString(home.resolve("VERSION"), version + "\n");
        Path script = home.resolve("bin/isthmus");
        copy(distSource.resolve("bin/isthmus"), script);
        Files.setPosixFilePermissions(script, EXECUTABLE);

        tarGz(home, output.resolve("isthmus-" + version + "-" + profile.id() + ".tar.gz"));
        Path staged = output.resolve("deb/opt/isthmus").resolve(profile.id());
        Files2.deleteRecursively(staged);
        copyTree(home, staged);
        System.out.printf("assembled %s: %d bundles, features %s%n", profile.id(), plan.bundles().size(),
                featureNames);
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
    }

    /**
     * A bundle jar with its entries stored, not deflated (same entries, order, times and contents): Felix reads a
     * bundle's classes from its cached copy on every start, also those the class-data archive maps (JDK 17 checks
     * their bytes), and inflating them was ~5 % of a warm boot's CPU (docs/benchmarks.md). Costs ~2.4x the disk
     * for the bundles (x86-industrial: 5.7 to 14 MB, and as much again in the state dir's bundle cache).
     */
    static void storeUncompressed(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        try (ZipFile in = new ZipFile(from.toFile());
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
            for (ZipEntry e : in.stream().toList()) {
                byte[] content;
                try (InputStream data = in.getInputStream(e)) {
                    content = data.readAllBytes();
                }
                ZipEntry stored = new ZipEntry(e);
                CRC32 crc = new CRC32();
                crc.update(content);
                stored.setMethod(ZipEntry.STORED);
                stored.setSize(content.length);
                stored.setCompressedSize(content.length);
                stored.setCrc(crc.getValue());
                out.putNextEntry(stored);
                out.write(content);
                out.closeEntry();
            }
        }
        Files.setLastModifiedTime(to, Files.getLastModifiedTime(from));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    copy(p, target);
                }
            }
        }
    }

    /** A tar.gz whose single top folder is the distribution's name; the launcher script stays executable. */
    private static void tarGz(Path home, Path archive) throws IOException {
        String root = home.getFileName().toString();
        try (OutputStream out = Files.newOutputStream(archive);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            List<Path> paths;
            try (Stream<Path> walk = Files.walk(home)) {
                paths = walk.sorted(Comparator.comparing(Path::toString)).toList();
            }
            for (Path p : paths) {
                String name = root + (p.equals(home) ? "" : "/" + home.relativize(p));
                TarArchiveEntry entry = new TarArchiveEntry(p.toFile(), name);
                entry.setMode(Files.isDirectory(p) || Files.isExecutable(p) ? 0755 : 0644);
                entry.setUserName("root");
                entry.setGroupName("root");
                tar.putArchiveEntry(entry);
                if (Files.isRegularFile(p)) {
                    Files.copy(p, tar);
                }
                tar.closeArchiveEntry();
            }
        }
    }
}
