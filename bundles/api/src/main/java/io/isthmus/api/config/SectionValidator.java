package io.isthmus.api.config;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: a capability validates its own part of the document. Register as a service with the
 * property {@value #SECTION} naming the top-level section it owns (or {@code "*"} for checks that span
 * sections, such as a driver checking the ports of its kind). Validators must be pure and fast: they are
 * called for every validation, before anything is applied.
 */
@ConsumerType
public interface SectionValidator {
    /** Service property: the top-level section this validator owns. */
    String SECTION = "isthmus.section";

    /** Returns every problem found; an empty list means valid. Pointers are absolute. */
    List<ValidationError> validate(NetworkDocument document);
}
