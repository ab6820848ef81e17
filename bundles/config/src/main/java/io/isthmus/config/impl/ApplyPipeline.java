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

    /**
     * The committed document the appliers were last brought to.
     *
     * @param readers the section reader set it was read with ({@link Whiteboard#readerVersion()})
     */
    record InForce(Generation generation, NetworkDocument document, long readers) {
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
                inForce = Optional.of(new InForce(same.get(), document, validated.readers()));
                log.info("generation " + same.get().number() + " unchanged, still in force (source " + source + ")");
                return new ApplyResult.Committed(same.get(), true);
            }
            try {
                Generation generation = store.commit(json, source, settings.get().keepGenerations());
                inForce = Optional.of(new InForce(generation, document, validated.readers()));
                log.info("generation " + generation.number() + " committed (source " + source + ")");
                return new ApplyResult.Committed(generation, false);
            } catch (IOException e) {
                failure = Optional.of("cannot store the new generation: " + Failures.describe(e));
            }
        }
        // Restoring a generation that is this very document would only repeat the failure.
        return rollBack(failure.get(), source, previous.filter(p -> !p.sha256().equals(sha256)));
    }

    /**
     * Hands the document in force to an applier that appeared at runtime, so it adopts the kernel state. When the
     * section readers changed since it was read (a capability bundle was updated: its new reader registers before
     * its new applier), the generation's text is read again with the readers there are now, so the applier gets
     * the document its own bundle reads.
     */
    void adopt(NamedApplier applier) {
        inForce.map(this::current).ifPresent(f -> {
            try {
                applier.applier().apply(f.document());
                log.info("generation " + f.generation().number() + " handed to newly bound applier " + applier.name());
            } catch (ApplyException | RuntimeException | LinkageError e) {
                log.error("newly bound applier " + applier.name() + " failed to adopt generation "
                        + f.generation().number() + ": " + Failures.describe(e), e);
            }
        });
    }

    /** The document in force as the readers registered now read it; the old reading if the text no longer passes. */
    private InForce current(InForce f) {
        if (f.readers() == whiteboard.readerVersion()) {
            return f;
        }
        Optional<Validated> again = store.json(f.generation().number()).map(validation::validate);
        if (again.flatMap(Validated::document).isEmpty()) {
            log.warn("generation " + f.generation().number() + " no longer reads with the section readers installed now ("
                    + again.map(v -> summary(v.errors())).orElse("its document is unreadable")
                    + "); keeping the document as it was read");
            return f;
        }
        InForce reread = new InForce(f.generation(), again.get().document().get(), again.get().readers());
        inForce = Optional.of(reread);
        return reread;
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
        Optional<InForce> document = inForce.filter(f -> f.generation().number() == generation.number())
                .or(() -> stored(generation));
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
                applier.applier().apply(document.get().document());
            } catch (ApplyException | RuntimeException | LinkageError e) {
                log.error("applier " + applier.name() + " failed to restore generation " + generation.number() + ": "
                        + Failures.describe(e), e);
            }
        }
        inForce = document;
        return Optional.of(generation);
    }

    private Optional<InForce> stored(Generation generation) {
        Optional<Validated> validated = store.json(generation.number()).map(validation::validate);
        if (validated.flatMap(Validated::document).isEmpty()) {
            log.warn("cannot restore generation " + generation.number() + ": " + validated.map(v -> summary(v.errors()))
                    .orElse("its document is unreadable"));
        }
        return validated.flatMap(v -> v.document().map(d -> new InForce(generation, d, v.readers())));
    }

    static String summary(List<ValidationError> errors) {
        String shown = errors.stream().limit(ERRORS_LOGGED).map(ValidationError::toString)
                .collect(Collectors.joining("; "));
        return errors.size() + (errors.size() == 1 ? " error: " : " errors: ") + shown
                + (errors.size() > ERRORS_LOGGED ? "; …" : "");
    }
}
