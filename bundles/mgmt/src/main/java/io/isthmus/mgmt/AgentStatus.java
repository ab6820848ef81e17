package io.isthmus.mgmt;

import java.util.Map;

/** The agent as the bundle's own commands see it (a service private to this bundle). */
public interface AgentStatus {
    /** The management channel for status: connected, broker, outbox, counters. */
    Map<String, Object> describe();

    /** Publishes the retained state again (the generation changed). */
    void refreshState();
}
