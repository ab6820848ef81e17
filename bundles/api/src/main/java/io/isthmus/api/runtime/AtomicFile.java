package io.isthmus.api.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Crash-safe file replacement for every bundle that keeps state (generations, the deploy store, bundle data
 * files): a reader sees the old content or the new, never a torn file, even when power fails mid-write (the
 * normal way a gateway in a cabinet is switched off). Temp file in the same directory, fsync, atomic rename,
 * fsync of the directory.
 */
@ProviderType
public final class AtomicFile {
    /** Suffix of the temp files a crash may leave behind (safe to delete when nothing is writing). */
    public static final String TEMP_SUFFIX = ".tmp";

    private AtomicFile() {
    }

    public static void write(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        // same directory, so the rename below never crosses a filesystem and stays atomic
        Path temp = Files.createTempFile(dir, target.getFileName() + ".", TEMP_SUFFIX);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            replace(temp, target);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Copies {@code source} to {@code target} the same way: the target appears whole or not at all. */
    public static void copy(Path source, Path target) throws IOException {
        Path temp = Files.createTempFile(target.toAbsolutePath().getParent(), target.getFileName() + ".", TEMP_SUFFIX);
        try {
            Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            replace(temp, target);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Renames a complete, synced file over {@code target} and makes the rename durable. */
    public static void replace(Path complete, Path target) throws IOException {
        Files.move(complete, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Makes a rename durable; some filesystems refuse to open a directory, and then it is moot. */
    public static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // not supported here (some FUSE filesystems): nothing more can be done
        }
    }
}
