package io.isthmus.mgmt.transport;

import java.io.ByteArrayInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** The outbox journal as a file: appended to, and rewritten through a temporary file and an atomic rename. */
public final class FileJournal implements Journal {
    private final Path file;
    private OutputStream out;

    public FileJournal(Path file) {
        this.file = file.toAbsolutePath();
    }

    @Override
    public InputStream read() throws IOException {
        return Files.exists(file) ? Files.newInputStream(file) : new ByteArrayInputStream(new byte[0]);
    }

    @Override
    public void append(byte[] frame) throws IOException {
        if (out == null) {
            out = new FileOutputStream(file.toFile(), true);
        }
        out.write(frame);
    }

    @Override
    public void rewrite(List<byte[]> frames) throws IOException {
        close();
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (byte[] frame : frames) {
                ByteBuffer b = ByteBuffer.wrap(frame);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp); // a full disk: give back what the attempt took
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public long usableBytes() throws IOException {
        return Files.getFileStore(existing()).getUsableSpace();
    }

    @Override
    public long totalBytes() throws IOException {
        return Files.getFileStore(existing()).getTotalSpace();
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            OutputStream o = out;
            out = null;
            o.close();
        }
    }

    private Path existing() {
        Path p = file;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p == null ? file.getRoot() : p;
    }
}
