package io.isthmus.config.impl;

import io.isthmus.api.config.ApplyException;
import io.isthmus.api.config.ApplyResult;
import io.isthmus.api.config.CommitCheck;
import io.isthmus.api.config.Generation;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.ValidationError;
import io.isthmus.config.impl.Whiteboard.NamedApplier;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Validate → apply → test → commit, or roll back to the generation in force. Not thread-safe by design:
 * the engine runs every call on its single config thread, so two documents never interleave.
 */
final class ApplyPipeline {
    private static final int ERRORS_LOGGED = 5;

    /** The committed document the appliers were last brought to. */
    record InForce(Generation generation, NetworkDocument document) {
    }

    private final Validation validation;
    private final Whiteboard whiteboard;
    private final GenerationStore store;
    private final CommitCheckRunner checks;
    private final Supplier<Settings> settings;
    private final EventLog log;
    private volatile Optional<InForce> inForce = Optional.empty();

    ApplyPipeline(Validation validation, Whiteboard whiteboard, GenerationStore store, CommitCheckRunner checks,
            Supplier<Settings> settings, EventLog log) {
        this.validation = validation;
        this.whiteboard = whiteboard;
        this.store = store;
        this.checks = checks;
        this.settings = settings;
        this.log = log;
    }

    Optional<InForce> inForce() {
        return inForce;
    }

    ApplyResult apply(String json, String source) {
        Validated validated = validation.validate(json);
        if (validated.document().isEmpty()) {
            log.info("document rejected, nothing changed (source " + source + store.current().map(g -> ", generation "
                    + g.number() + " stays in force").orElse("") + "): " + summary(validated.errors()));
            return new ApplyResult.Rejected(validated.errors());
        }
        NetworkDocument document = validated.document().get();
        String sha256 = GenerationStore.sha256(json);
        Optional<Generation> previous = store.current();
        List<CommitCheck> commitChecks = whiteboard.checks();
        beforeApply(commitChecks, document);
        Optional<String> failure = applyToAll(document)
                .or(() -> checks.run(commitChecks, document, settings.get().testWindow()));
        if (failure.isEmpty()) {
            Optional<Generation> same = previous.filter(p -> p.sha256().equals(sha256));
            if (same.isPresent()) {
                inForce = Optional.of(new InForce(same.get(), document));
                log.info("generation " + same.get().number() + " unchanged, still in force (source " + source + ")");
                return new ApplyResult.Committed(same.get(), true);
            }
            try {
                Generation generation = store.commit(json, source, settings.get().keepGenerations());
                inForce = Optional.of(new InForce(generation, document));
                log.info("generation " + generation.number() + " committed (source " + source + ")");
                return new ApplyResult.Committed(generation, false);
            } catch (IOException e) {
                failure = Optional.of("cannot store the new generation: " + Failures.describe(e));
            }
        }
        // Restoring a generation that is this very document would only repeat the failure.
        return rollBack(failure.get(), source, previous.filter(p -> !p.sha256().equals(sha256)));
    }

    /** Hands the document in force to an applier that appeared at runtime, so it adopts the kernel state. */
    void adopt(NamedApplier applier) {
        inForce.ifPresent(f -> {
            try {
                applier.applier().apply(f.document());
                log.info("generation " + f.generation().number() + " handed to newly bound applier " + applier.name());
            } catch (ApplyException | RuntimeException | LinkageError e) {
                log.error("newly bound applier " + applier.name() + " failed to adopt generation "
                        + f.generation().number() + ": " + Failures.describe(e), e);
            }
        });
    }

    /** Lets every commit check see the gateway as it is before the first applier changes it. */
    private void beforeApply(List<CommitCheck> commitChecks, NetworkDocument next) {
        for (CommitCheck check : commitChecks) {
            try {
                check.beforeApply(next);
            } catch (RuntimeException | LinkageError e) {
                log.error("commit check " + check.getClass().getName() + " failed before the apply: "
                        + Failures.describe(e), e);
            }
        }
    }

    /** Runs the appliers in order and stops at the first that fails. */
    private Optional<String> applyToAll(NetworkDocument document) {
        List<NamedApplier> appliers;
        try {
            appliers = whiteboard.appliers();
        } catch (ApplyException e) {
            return Optional.of(e.getMessage());
        }
        for (NamedApplier applier : appliers) {
            try {
                applier.applier().apply(document);
            } catch (ApplyException | RuntimeException | LinkageError e) {
                return Optional.of("applier " + applier.name() + " failed: " + Failures.describe(e));
            }
        }
        return Optional.empty();
    }

    private ApplyResult rollBack(String reason, String source, Optional<Generation> target) {
        Optional<Generation> restored = target.flatMap(this::restore);
        log.warn("document rolled back (source " + source + "): " + reason + "; " + restored
                .map(g -> "generation " + g.number() + " restored").orElse("no earlier generation to restore"));
        return new ApplyResult.RolledBack(reason, restored);
    }

    /** Brings every applier back to {@code generation}, going on past appliers that fail: the most we can restore. */
    private Optional<Generation> restore(Generation generation) {
        Optional<NetworkDocument> document = inForce.filter(f -> f.generation().number() == generation.number())
                .map(InForce::document).or(() -> stored(generation));
        if (document.isEmpty()) {
            return Optional.empty();
        }
        List<NamedApplier> appliers;
        try {
            appliers = whiteboard.appliers();
        } catch (ApplyException e) {
            log.error("cannot restore generation " + generation.number() + ": " + e.getMessage(), e);
            return Optional.empty();
        }
        for (NamedApplier applier : appliers) {
            try {
                applier.applier().apply(document.get());
            } catch (ApplyException | RuntimeException | LinkageError e) {
                log.error("applier " + applier.name() + " failed to restore generation " + generation.number() + ": "
                        + Failures.describe(e), e);
            }
        }
        inForce = Optional.of(new InForce(generation, document.get()));
        return Optional.of(generation);
    }

    private Optional<NetworkDocument> stored(Generation generation) {
        Optional<Validated> validated = store.json(generation.number()).map(validation::validate);
        if (validated.flatMap(Validated::document).isEmpty()) {
            log.warn("cannot restore generation " + generation.number() + ": " + validated.map(v -> summary(v.errors()))
                    .orElse("its document is unreadable"));
        }
        return validated.flatMap(Validated::document);
    }

    static String summary(List<ValidationError> errors) {
        String shown = errors.stream().limit(ERRORS_LOGGED).map(ValidationError::toString)
                .collect(Collectors.joining("; "));
        return errors.size() + (errors.size() == 1 ? " error: " : " errors: ") + shown
                + (errors.size() > ERRORS_LOGGED ? "; …" : "");
    }
}
