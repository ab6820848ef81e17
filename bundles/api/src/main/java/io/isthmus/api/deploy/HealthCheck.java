package io.isthmus.api.deploy;

import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A bundle's own health check, consulted after a field update of that bundle before it is committed.
 * Empty means healthy; otherwise the reason.
 */
@ConsumerType
public interface HealthCheck {
    Optional<String> check();
}
