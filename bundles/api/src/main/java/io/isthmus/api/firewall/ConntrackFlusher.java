package io.isthmus.api.firewall;

/** Flushes connection-tracking entries NATed through a port, so flows re-establish on another uplink. */
public interface ConntrackFlusher {
    /** Returns how many entries were removed. */
    int flushNatThrough(String port);
}
