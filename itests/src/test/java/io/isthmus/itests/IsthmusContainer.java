package io.isthmus.itests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import org.apache.felix.framework.FrameworkFactory;
import org.ops4j.pax.exam.ExamSystem;
import org.ops4j.pax.exam.TestContainer;
import org.ops4j.pax.exam.nat.internal.NativeTestContainer;

/**
 * Pax Exam's native container (Felix in this JVM) for one distribution, owning the run folder: the framework
 * storage and the {@code isthmus.state.dir} are created empty when the framework starts and deleted when it stops.
 * Its name, shown in every test name, is the profile.
 */
final class IsthmusContainer extends NativeTestContainer {
    private final Distribution dist;
    private final Path runDir;
    private boolean firewallTableBefore;

    IsthmusContainer(ExamSystem system, Distribution dist, Path runDir) throws IOException {
        super(system, new FrameworkFactory());
        this.dist = dist;
        this.runDir = runDir;
    }

    @Override
    public TestContainer start() {
        try {
            deleteTree(runDir);
            Files.createDirectories(IsthmusOptions.stateDir(runDir));
            firewallTableBefore = firewallTable(List.of("nft", "list", "table", "inet", "isthmus"));
        } catch (IOException e) {
            throw new UncheckedIOException(runDir + ": cannot prepare the run folder", e);
        }
        return super.start();
    }

    @Override
    public TestContainer stop() {
        try {
            return super.stop();
        } finally {
            try {
                // The gateway framework ran in this JVM's own namespace, and its firewall table outlives it by
                // design (a stopped gateway stays closed). The tests after this one use this namespace as a
                // host of the lab's internet, which has no such table (DeployProxyIT failed after this).
                if (!firewallTableBefore) {
                    firewallTable(List.of("nft", "delete", "table", "inet", "isthmus"));
                }
                deleteTree(runDir);
            } catch (IOException e) {
                throw new UncheckedIOException(runDir + ": cannot delete the run folder", e);
            }
        }
    }

    /** Runs one nft command on the table; true when it succeeded. */
    private static boolean firewallTable(List<String> nft) throws IOException {
        try {
            return Lab.run(nft, Duration.ofSeconds(5)).exit() == 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + nft, e);
        }
    }

    @Override
    public String toString() {
        return dist.label();
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
