package io.isthmus.api.config;

import java.time.Instant;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A committed document. Generations count up from 1 and are never reused.
 *
 * @param source who committed it, e.g. {@code boot:/etc/isthmus/network.json} or {@code mqtt:config.put}
 */
@ProviderType
public record Generation(long number, Instant committedAt, String source, String sha256) {
}
