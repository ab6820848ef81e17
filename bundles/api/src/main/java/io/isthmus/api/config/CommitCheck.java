package io.isthmus.api.config;

import java.time.Duration;
import java.util.Optional;

/**
 * Whiteboard: a test run after a new document was applied and before it is committed, e.g. "the
 * management broker is still reachable". Any failing check rolls the document back.
 */
public interface CommitCheck {

    /** A short name for reports, e.g. {@code broker-reachable}. */
    String name();

    /**
     * Runs the check, returning within {@code window}. Empty means passed; otherwise the reason it failed.
     */
    Optional<String> check(NetworkDocument applied, Duration window);
}
