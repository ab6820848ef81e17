package io.isthmus.api.firewall;

import org.osgi.annotation.versioning.ProviderType;

/** Flushes connection-tracking entries NATed through a port, so flows re-establish on another uplink. */
@ProviderType
public interface ConntrackFlusher {
    /** Returns how many entries were removed. */
    int flushNatThrough(String port);
}
