package io.isthmus.launcher;

import io.isthmus.state.DeployStoreFile;
import io.isthmus.state.StateFormatException;
import io.isthmus.state.StoreEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.startlevel.BundleStartLevel;

/**
 * Boot-time recovery from the deploy bundle's store ({@code <state>/deploy/store.json}, docs/deploy.md, its shape
 * {@link DeployStoreFile}), before any bundle starts: every bundle the store knows runs its committed jar. A change
 * that was pending when the gateway died (power cut, kill -9) is undone — the committed jar goes back, a
 * half-installed field bundle goes — so the gateway boots the old or the new version, never a mix. A distribution
 * upgrade that brings a new jar of a field-updated bundle wins: that bundle's store entry is dropped.
 */
final class DeployRecovery {
    static final String FILE = DeployStoreFile.FILE;

    private final Path root;
    private final PrintStream out;
    private final Map<String, StoreEntry> bundles;
    private boolean dirty;

    private DeployRecovery(Path root, PrintStream out, Map<String, StoreEntry> bundles) {
        this.root = root;
        this.out = out;
        this.bundles = bundles;
    }

    static DeployRecovery load(Path stateRoot, PrintStream out) throws LaunchException {
        Path root = DeployStoreFile.root(stateRoot);
        Path file = root.resolve(FILE);
        Map<String, StoreEntry> bundles = new LinkedHashMap<>();
        if (Files.exists(file)) {
            try {
                bundles.putAll(DeployStoreFile.fromJson(JsonFiles.readObject(file)).bundles());
            } catch (StateFormatException e) {
                throw new LaunchException(file + ": " + e.getMessage());
            }
        }
        return new DeployRecovery(root, out, bundles);
    }

    /** Before the cache sync: entries of distribution bundles whose distribution jar changed are dropped. */
    void dropUpgraded(LaunchPlan plan, BundleIndex index) throws LaunchException {
        for (LaunchPlan.BundleSpec spec : plan.bundles()) {
            String location = spec.ref().location();
            String installed = index.bundleHash(location);
            if (!bundles.containsKey(location) || installed == null) {
                continue;
            }
            try {
                if (!index.jarHash(location, spec.jar()).equals(installed)) {
                    bundles.remove(location);
                    dirty = true;
                    out.println("isthmus: deploy: the distribution brings a new " + spec.ref().id()
                            + "; its field update is dropped");
                }
            } catch (IOException e) {
                throw new LaunchException(spec.jar() + ": cannot read: " + e.getMessage(), e);
            }
        }
    }

    /**
     * After the cache sync, before the framework starts: each known bundle back to its committed jar (or gone, when
     * it has none); pending changes cleared. The number of bundles changed.
     */
    int restore(BundleContext system, int startLevel) throws LaunchException {
        int changed = 0;
        for (StoreEntry entry : new ArrayList<>(bundles.values())) {
            String location = entry.location();
            boolean pending = entry.pending().isPresent();
            Bundle bundle = system.getBundle(location);
            try {
                if (entry.current().isEmpty()) {
                    if (bundle != null) {
                        bundle.uninstall();
                        changed++;
                    }
                    bundles.remove(location);
                    dirty = true;
                    continue;
                }
                StoreEntry.JarRef current = entry.current().get();
                Path jar = DeployStoreFile.jar(root, current.sha256());
                if (bundle == null) {
                    try (InputStream in = Files.newInputStream(jar)) {
                        bundle = system.installBundle(location, in);
                    }
                    bundle.adapt(BundleStartLevel.class).setStartLevel(startLevel);
                    bundle.start();
                    changed++;
                } else if (pending || !bundle.getVersion().toString().equals(current.version())) {
                    try (InputStream in = Files.newInputStream(jar)) {
                        bundle.update(in);
                    }
                    changed++;
                }
                if (pending) {
                    bundles.put(location, entry.withPending(Optional.empty()));
                    dirty = true;
                }
            } catch (IOException | BundleException ex) {
                throw new LaunchException("deploy store: cannot restore " + location + " to its committed jar: "
                        + ex.getMessage(), ex);
            }
        }
        if (dirty) {
            save();
        }
        return changed;
    }

    private void save() throws LaunchException {
        try {
            Files2.writeAtomically(root.resolve(FILE), JsonFiles.write(new DeployStoreFile(bundles).toJson()));
        } catch (IOException e) {
            throw new LaunchException(root.resolve(FILE) + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** For tests: the locations the store still knows. */
    List<String> locations() {
        return List.copyOf(bundles.keySet());
    }
}
