package io.isthmus.launcher;

import io.isthmus.state.BundleIndexFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The gateway's state directory. Checked before anything is written; remembers what this launch created
 * so that a launch that fails before {@code ready:} can leave the directory as it was.
 */
final class StateDir {
    static final String CACHE = "cache";
    static final String LAUNCHER = BundleIndexFile.DIRECTORY;

    private final Path root;
    private final List<Path> createdByUs = new ArrayList<>();

    private StateDir(Path root) {
        this.root = root;
    }

    static StateDir open(Path root) throws LaunchException {
        StateDir dir = new StateDir(root.toAbsolutePath().normalize());
        dir.check();
        return dir;
    }

    Path root() {
        return root;
    }

    Path cache() {
        return root.resolve(CACHE);
    }

    Path bundleIndex() {
        return BundleIndexFile.path(root);
    }

    private void check() throws LaunchException {
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new LaunchException(root + ": state directory is not a directory");
        }
        if (!Files.exists(root)) {
            Path existing = root;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing == null || !Files.isWritable(existing)) {
                throw new LaunchException(root + ": state directory cannot be created (" + existing + " is not writable)");
            }
            return;
        }
        // isWritable says yes to root on read-only mounts; a probe file does not lie
        Path probe = root.resolve(".isthmus-write-probe");
        try {
            Files.deleteIfExists(probe);
            Files.createFile(probe);
            Files.delete(probe);
        } catch (IOException e) {
            throw new LaunchException(root + ": state directory is not writable (" + e.getClass().getSimpleName()
                    + ")");
        }
    }

    /** Creates the directories this launch needs, remembering which ones did not exist. */
    void prepare() throws LaunchException {
        for (Path p : List.of(root, cache(), root.resolve(LAUNCHER))) {
            if (!Files.exists(p)) {
                try {
                    Files.createDirectories(p);
                } catch (IOException e) {
                    throw new LaunchException(p + ": cannot create: " + e.getMessage());
                }
                createdByUs.add(p);
            }
        }
    }

    /** Undoes {@link #prepare()}: removes what this launch created (outermost first). */
    void restore() {
        for (Path p : createdByUs) {
            try {
                Files2.deleteRecursively(p);
            } catch (IOException e) {
                System.err.println("isthmus: could not remove " + p + ": " + e.getMessage());
            }
        }
    }
}
