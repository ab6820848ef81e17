package io.isthmus.api.runtime;

import org.osgi.annotation.versioning.ProviderType;
import org.osgi.framework.Bundle;

/**
 * A bundle's state by the name status, replies, logs and health reasons show (e.g. {@code RESOLVED}): one
 * spelling for every bundle that reports one.
 */
@ProviderType
public enum BundleState {
    UNINSTALLED, INSTALLED, RESOLVED, STARTING, STOPPING, ACTIVE;

    /** The state of {@link Bundle#getState()}; anything unknown reads as {@code UNINSTALLED}. */
    public static BundleState of(int state) {
        return switch (state) {
            case Bundle.ACTIVE -> ACTIVE;
            case Bundle.RESOLVED -> RESOLVED;
            case Bundle.INSTALLED -> INSTALLED;
            case Bundle.STARTING -> STARTING;
            case Bundle.STOPPING -> STOPPING;
            default -> UNINSTALLED;
        };
    }
}
