package io.isthmus.config.impl;

import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.ValidationError;
import io.isthmus.config.impl.Whiteboard.NamedValidator;
import io.isthmus.config.impl.Whiteboard.ReaderSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Core rules first; only a document that passes them is shown to the registered section validators. */
final class Validation {
    private final DeviceProfile profile;
    private final Whiteboard whiteboard;

    Validation(DeviceProfile profile, Whiteboard whiteboard) {
        this.profile = profile;
        this.whiteboard = whiteboard;
    }

    Validated validate(String json) {
        // One snapshot, so the sections claimed and the validators asked are the same set; the same for readers.
        List<NamedValidator> validators = whiteboard.validators();
        ReaderSet readers = whiteboard.readers();
        Validated parsed = new DocumentParser(profile, readers).parse(json,
                Whiteboard.claimedSections(validators)).readWith(readers.version());
        if (parsed.document().isEmpty()) {
            return new Validated(Optional.empty(), Validated.sorted(parsed.errors()), readers.version());
        }
        List<ValidationError> errors = new ArrayList<>();
        for (NamedValidator validator : validators) {
            errors.addAll(ask(validator, parsed.document().get()));
        }
        return new Validated(parsed.document(), Validated.sorted(errors), readers.version());
    }

    /** A validator that breaks must not break validation: its failure becomes an error naming it. */
    private static List<ValidationError> ask(NamedValidator validator, NetworkDocument document) {
        try {
            List<ValidationError> found = validator.validator().validate(document);
            return found == null ? List.of() : found.stream().filter(Objects::nonNull).toList();
        } catch (RuntimeException | LinkageError e) {
            return List.of(new ValidationError("", "validator " + validator.name() + " failed: "
                    + Failures.describe(e)));
        }
    }
}
