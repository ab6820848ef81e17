package io.isthmus.api.config;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The desired-state document: validate, apply with test-before-commit, keep generations.
 * Documents are passed as JSON text so that callers need no JSON library.
 */
@ProviderType
public interface ConfigService {

    /** Parses and validates the whole document (core rules and every registered validator). */
    List<ValidationError> validate(String json);

    /** Validate → apply → test → commit; on any failure after validation the previous generation is re-applied. */
    ApplyResult apply(String json, String source);

    /** Validates, then asks every applier what it would change, changing nothing (a dry run). */
    Preview preview(String json);

    /** The committed generation in force, if any. */
    Optional<Generation> current();

    /** The committed document in force, if any. */
    Optional<NetworkDocument> currentDocument();

    /** The JSON text of a kept generation. */
    Optional<String> json(long generation);

    /** Kept generations, newest first. */
    List<Generation> history();

    /** Re-applies (with test) a kept generation, committing it as a new generation. */
    ApplyResult rollback(long generation, String source);

    /**
     * Completes once the boot document (the launcher's {@code --config} file, else the current
     * generation, else the profile's default document) has been handled.
     */
    CompletionStage<ApplyResult> bootApplied();

    /** Framework property: the state directory. */
    String STATE_DIR = "isthmus.state.dir";
    /** Framework property: the document given with {@code --config}, if any. */
    String CONFIG_FILE = "isthmus.config.file";
    /** Framework property: the profile's default document. */
    String DEFAULT_CONFIG_FILE = "isthmus.config.default";
    /** Framework property: the device profile JSON (port map). */
    String PROFILE_FILE = "isthmus.profile.file";
}
