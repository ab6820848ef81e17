package io.isthmus.deploy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Chunks of an inline transfer, each a file in the job's incoming directory: they may come in any order and
 * again, survive a restart of the agent or the gateway, and tell the sender which are still missing.
 */
final class InlineTransfer {
    static final int MAX_CHUNK = 192 * 1024;
    static final int MAX_MISSING_LISTED = 50;

    private final Path dir;
    private final long size;
    private final int chunkSize;
    private final int chunks;

    InlineTransfer(Path dir, long size, int chunkSize) {
        this.dir = dir;
        this.size = size;
        this.chunkSize = chunkSize;
        this.chunks = chunks(size, chunkSize);
    }

    static int chunks(long size, int chunkSize) {
        return (int) Math.max(1, (size + chunkSize - 1) / chunkSize);
    }

    /** The length chunk {@code index} must have. */
    long expectedLength(int index) {
        return index < chunks - 1 ? chunkSize : size - (long) (chunks - 1) * chunkSize;
    }

    /** Stores one chunk (whole or not at all); a chunk already there is left as it is. */
    void put(int index, byte[] data) throws IOException {
        Path file = chunk(index);
        if (Files.exists(file)) {
            return;
        }
        Path tmp = dir.resolve("chunk-" + index + ".tmp");
        Files.write(tmp, data);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    List<Integer> missing(int limit) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < chunks && out.size() < limit; i++) {
            if (!Files.exists(chunk(i))) {
                out.add(i);
            }
        }
        return out;
    }

    int received() {
        int n = 0;
        for (int i = 0; i < chunks; i++) {
            n += Files.exists(chunk(i)) ? 1 : 0;
        }
        return n;
    }

    long bytes() {
        long n = 0;
        for (int i = 0; i < chunks; i++) {
            n += Files.exists(chunk(i)) ? expectedLength(i) : 0;
        }
        return n;
    }

    boolean complete() {
        return received() == chunks;
    }

    /** Joins the chunks into one jar next to them. */
    Path assemble() throws IOException {
        Path jar = dir.resolve("bundle.jar");
        try (OutputStream out = Files.newOutputStream(jar)) {
            for (int i = 0; i < chunks; i++) {
                Files.copy(chunk(i), out);
            }
        }
        return jar;
    }

    private Path chunk(int index) {
        return dir.resolve("chunk-" + index);
    }
}
