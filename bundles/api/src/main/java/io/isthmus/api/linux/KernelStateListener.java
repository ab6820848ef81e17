package io.isthmus.api.linux;

import java.util.Set;

/**
 * Whiteboard: told soon after addresses, routes, rules or the nftables ruleset change in the kernel, whoever
 * changed them (the gateway's own writes included), so that a reconciler repairs drift from kernel events
 * instead of re-reading the kernel every second. A burst of events is coalesced into one call (a few tens of
 * ms after its first event). Links have their own {@link LinkListener}. Called on one thread per listener;
 * must not block.
 */
public interface KernelStateListener {
    /** What changed; a listener re-reads only what it owns. */
    enum Kind {
        ADDRESS, ROUTE, RULE, NFTABLES
    }

    /**
     * @param kinds never empty
     */
    void kernelChanged(Set<Kind> kinds);
}
