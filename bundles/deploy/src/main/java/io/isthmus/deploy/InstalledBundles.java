package io.isthmus.deploy;

import java.util.Arrays;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** The framework's bundles as jobs name them (by symbolic name), and the ones no job may change. */
final class InstalledBundles {
    private final BundleContext context;

    InstalledBundles(BundleContext context) {
        this.context = context;
    }

    Bundle find(String name) {
        return installed(name).orElseThrow(() -> new BadInput(404, "not-found", "/bundle", "no bundle " + name
                + " is installed"));
    }

    Optional<Bundle> installed(String name) {
        return Arrays.stream(context.getBundles()).filter(b -> name.equals(b.getSymbolicName())
                && b.getState() != Bundle.UNINSTALLED).findFirst();
    }

    static Optional<String> untouchable(Bundle b) {
        if (b.getBundleId() == 0) {
            return Optional.of("the framework changes only with a distribution upgrade");
        }
        if (Deployer.SELF.equals(b.getSymbolicName())) {
            return Optional.of(Deployer.SELF + " changes only with a distribution upgrade (it would have to watch "
                    + "itself)");
        }
        return Optional.empty();
    }
}
