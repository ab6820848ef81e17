package io.isthmus.api.deploy;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What the field-update store knows about an installed bundle, for {@code bundles.list}: where it came from,
 * the version it would roll back to, and the SHA-256 of the jar it runs. Registered by the deploy bundle.
 */
@ProviderType
public interface DeployedBundles {

    /** {@code origin} is {@code "distribution"} or {@code "field"}. */
    record Deployed(String origin, Optional<String> previousVersion, Optional<String> sha256) {
    }

    /** The store's record of the bundle at this framework location, or empty when the store has none. */
    Optional<Deployed> describe(String location);
}
