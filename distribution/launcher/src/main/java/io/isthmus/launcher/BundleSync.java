package io.isthmus.launcher;

import io.isthmus.state.BundleLocation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Brings the persistent bundle cache in line with the launch plan, without a clean start: installs new
 * bundles, updates those whose distribution jar changed, uninstalls dropped ones, leaves the rest (and
 * their field updates) alone, and marks every planned bundle to start at its start level.
 */
final class BundleSync {
    record Outcome(int installed, int updated, int uninstalled, int kept) {
    }

    private final BundleContext system;
    private final BundleIndex index;

    BundleSync(BundleContext system, BundleIndex index) {
        this.system = system;
        this.index = index;
    }

    Outcome sync(LaunchPlan plan) throws LaunchException {
        Map<String, Bundle> installed = new HashMap<>();
        for (Bundle b : system.getBundles()) {
            if (b.getBundleId() != 0) {
                installed.put(b.getLocation(), b);
            }
        }
        int added = 0;
        int updated = 0;
        int removed = 0;
        int kept = 0;
        boolean refresh = false;
        for (LaunchPlan.BundleSpec spec : plan.bundles()) {
            String location = spec.ref().location();
            try {
                String hash = index.jarHash(location, spec.jar());
                Bundle bundle = installed.remove(location);
                if (bundle == null) {
                    try (InputStream in = Files.newInputStream(spec.jar())) {
                        bundle = system.installBundle(location, in);
                    }
                    added++;
                } else if (!hash.equals(index.bundleHash(location))) {
                    try (InputStream in = Files.newInputStream(spec.jar())) {
                        bundle.update(in);
                    }
                    updated++;
                    refresh = true;
                } else {
                    kept++;
                }
                index.bundleInstalled(location, hash, spec.jar());
                bundle.adapt(BundleStartLevel.class).setStartLevel(spec.ref().startOrder());
                if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                    bundle.start();
                }
            } catch (IOException | BundleException e) {
                throw new LaunchException(spec.jar() + ": cannot install " + spec.ref().id() + ": " + e.getMessage(), e);
            }
        }
        for (Bundle dropped : installed.values()) {
            // the launcher owns only distribution locations; anything else (e.g. installed in the field) stays
            if (BundleLocation.isDistribution(dropped.getLocation())) {
                try {
                    dropped.uninstall();
                    index.bundleRemoved(dropped.getLocation());
                    removed++;
                    refresh = true;
                } catch (BundleException e) {
                    throw new LaunchException("cannot uninstall dropped bundle " + dropped.getSymbolicName() + ": "
                            + e.getMessage(), e);
                }
            }
        }
        if (refresh) {
            refresh();
        }
        return new Outcome(added, updated, removed, kept);
    }

    /** Updated and uninstalled bundles keep their old revision until a refresh; do it before anything starts. */
    void refresh() throws LaunchException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        // null: every bundle with a pending removal or update
        system.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(null,
                event -> {
                    if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                        done.complete(null);
                    }
                });
        try {
            done.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new LaunchException("bundle refresh did not finish: " + e, e);
        }
    }
}
