package io.isthmus.api.config;

import java.time.Duration;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: a test run after a new document was applied and before it is committed, e.g. "the
 * management broker is still reachable". Any failing check rolls the document back.
 */
@ConsumerType
public interface CommitCheck {

    /** A short name for reports, e.g. {@code broker-reachable}. */
    String name();

    /**
     * Runs the check, returning within {@code window}. Empty means passed; otherwise the reason it failed.
     */
    Optional<String> check(NetworkDocument applied, Duration window);

    /**
     * Called once per new document, before its first applier runs: a check records here what it must know of
     * the gateway as it was (e.g. "the broker was reachable"). Appliers change that state on the way — an uplink
     * switch makes the management agent reconnect on purpose — so it cannot be taken later, in an applier of
     * the check's own, whatever order the appliers run in. Must return quickly and not throw.
     */
    default void beforeApply(NetworkDocument next) {
    }
}
