package io.isthmus.config.impl;

import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.ValidationError;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of validating a document: the document exactly when there is no error.
 *
 * @param readers the version of the section reader set it was read with ({@link Whiteboard#readerVersion()})
 */
record Validated(Optional<NetworkDocument> document, List<ValidationError> errors, long readers) {

    Validated {
        errors = List.copyOf(errors);
        document = errors.isEmpty() ? document : Optional.empty();
    }

    Validated(Optional<NetworkDocument> document, List<ValidationError> errors) {
        this(document, errors, 0);
    }

    Validated readWith(long readerVersion) {
        return new Validated(document, errors, readerVersion);
    }

    /** Errors in pointer order (so the report reads top to bottom), each reported once. */
    static List<ValidationError> sorted(List<ValidationError> errors) {
        return new LinkedHashSet<>(errors).stream().sorted(Comparator.comparing(ValidationError::pointer)).toList();
    }
}
