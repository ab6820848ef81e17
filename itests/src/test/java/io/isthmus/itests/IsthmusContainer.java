package io.isthmus.itests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
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
                deleteTree(runDir);
            } catch (IOException e) {
                throw new UncheckedIOException(runDir + ": cannot delete the run folder", e);
            }
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
