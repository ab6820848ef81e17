package io.isthmus.net.ethernet;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.BundleContext;

/**
 * A small text file in the bundle's data area (kept across restarts and bundle updates), replaced atomically.
 * Absent when the framework gives no data area.
 */
record DataFile(Optional<Path> path) {

    static DataFile of(BundleContext context, String name) {
        return new DataFile(Optional.ofNullable(context.getDataFile(name)).map(File::toPath));
    }

    /** The lines, or none when the file does not exist or cannot be read. */
    List<String> lines() {
        if (path.isEmpty() || !Files.exists(path.get())) {
            return List.of();
        }
        try {
            return Files.readAllLines(path.get(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }

    void write(String text) throws IOException {
        if (path.isEmpty()) {
            return;
        }
        Path tmp = path.get().resolveSibling(path.get().getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, path.get(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
