package io.isthmus.api.runtime;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Registered once the gateway is up: every bundle active, every DS component satisfied, the document
 * applied. The launcher watches for it by class name and prints the {@code ready:} line.
 * Registered with {@value #STATE} = {@code ready} or {@code failed} (and {@value #MESSAGE}).
 */
@ProviderType
public interface Readiness {
    String STATE = "isthmus.state";
    String MESSAGE = "isthmus.message";
    String READY = "ready";
    String FAILED = "failed";
}
