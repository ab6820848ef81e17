package io.isthmus.api.linux;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One helper daemon: {@code wanted} when the document needs it; {@code running} whether it runs (or, for a daemon
 * of the system, answers) now; {@code restarts} since the gateway last (re)configured it; {@code problem} what is
 * wrong when it is wanted and not running (its last output lines), empty otherwise.
 */
@ProviderType
public record HelperStatus(String name, boolean wanted, boolean running, int restarts, Optional<String> problem) {
}
