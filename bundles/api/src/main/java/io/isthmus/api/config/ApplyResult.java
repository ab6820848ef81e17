package io.isthmus.api.config;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** What became of a document handed to {@link ConfigService#apply}. */
@ProviderType
public sealed interface ApplyResult {

    /** Committed as a new generation (or unchanged: the same document as the current generation). */
    record Committed(Generation generation, boolean unchanged) implements ApplyResult {
    }

    /** Not valid; nothing was changed. */
    record Rejected(List<ValidationError> errors) implements ApplyResult {
        public Rejected {
            errors = List.copyOf(errors);
        }
    }

    /** Applied but failed to apply or test; the previous generation was re-applied. */
    record RolledBack(String reason, Optional<Generation> restored) implements ApplyResult {
    }
}
