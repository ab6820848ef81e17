package io.isthmus.api.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;
import org.osgi.framework.BundleContext;

/**
 * A small text file in a bundle's data area, which the framework keeps across restarts and bundle updates: the
 * state a capability needs to adopt what its predecessor left (owned addresses, leases, the uplink selection).
 * Absent when the framework gives no data area.
 */
@ProviderType
public record DataFile(Optional<Path> path) {

    public static DataFile of(BundleContext context, String name) {
        return new DataFile(Optional.ofNullable(context.getDataFile(name)).map(File::toPath));
    }

    /** The lines, or none when the file does not exist or cannot be read (start afresh, as with no file). */
    public List<String> lines() {
        if (path.isEmpty() || !Files.exists(path.get())) {
            return List.of();
        }
        try {
            return Files.readAllLines(path.get(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Replaces the file atomically: a crash leaves the old or the new content, never half of it. */
    public void replace(String text) throws IOException {
        if (path.isEmpty()) {
            return;
        }
        AtomicFile.write(path.get(), text.getBytes(StandardCharsets.UTF_8));
    }
}
