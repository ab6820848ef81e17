package io.isthmus.uplink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/** A small text file in the bundle's data area (kept across restarts and updates); absent without one. */
record StateFile(Optional<Path> path) {

    List<String> lines() {
        try {
            return path.isPresent() && Files.exists(path.get()) ? Files.readAllLines(path.get(), StandardCharsets.UTF_8)
                    : List.of();
        } catch (IOException e) {
            return List.of(); // unreadable: start afresh, as with no file
        }
    }

    /** Replaces the file atomically: a crash leaves the old or the new content, never half of it. */
    void replace(String text) throws IOException {
        if (path.isPresent()) {
            Path tmp = path.get().resolveSibling(path.get().getFileName() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, path.get(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
