package io.isthmus.api.runtime;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The bundles the gateway cannot lose while it runs, derived from the running framework (never a list): the
 * framework, the management agent, the config service, every bundle that applies part of the network document
 * (registers a {@code SectionApplier}), the self-check, and transitively every bundle these need — whose packages
 * or capabilities they are wired to, and whose services their components reference mandatorily. Remote commands
 * refuse to stop or uninstall them; updates with a health window and rollback stay allowed.
 */
@ProviderType
public interface ProtectedBundles {

    /**
     * Why a bundle must keep running, e.g. {@code org.apache.felix.scr is needed by io.isthmus.mgmt (extender
     * osgi.component: the Declarative Services runtime)}; empty when it may be stopped or uninstalled.
     */
    Optional<String> whyProtected(long bundleId);
}
