package io.isthmus.api.linux;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A long-running helper daemon the gateway depends on (smcrouted for multicast routes, avahi-daemon for the mDNS
 * reflector), registered by the bundle that runs or drives it, so that {@code status} can say when one is not
 * running instead of it being restarted silently.
 */
@ProviderType
public interface HelperDaemon {
    /** Now. */
    HelperStatus status();
}
