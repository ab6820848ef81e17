package io.isthmus.deploy;

import io.isthmus.api.runtime.ProtectedBundles;
import io.isthmus.state.BundleLocation;
import java.util.Optional;
import org.osgi.framework.Bundle;

/**
 * Which bundles {@code bundle.uninstall} removes: only those installed in the field, and none the gateway cannot lose
 * ({@link ProtectedBundles}, the same answer {@code bundle.stop} gets).
 */
final class UninstallPolicy {
    private UninstallPolicy() {
    }

    /** Throws the 409 that says why {@code bundle} must stay. */
    static void check(Bundle bundle, String name, Optional<ProtectedBundles> protection) {
        Optional<String> needed = protection.flatMap(p -> p.whyProtected(bundle.getBundleId()));
        if (!BundleLocation.isField(bundle.getLocation())) {
            throw new BadInput(409, "distribution-bundle", "/bundle", name + " comes with the distribution "
                    + "and cannot be uninstalled; " + needed.map(why -> "bundle.stop refuses it too: " + why)
                            .orElse("stop it with bundle.stop instead"));
        }
        needed.ifPresent(why -> {
            throw new BadInput(409, "refused", "/bundle", why + ": it cannot be uninstalled remotely");
        });
    }
}
