package io.isthmus.api.deploy;

import java.util.Optional;

/**
 * A bundle's own health check, consulted after a field update of that bundle before it is committed.
 * Empty means healthy; otherwise the reason.
 */
public interface HealthCheck {
    Optional<String> check();
}
