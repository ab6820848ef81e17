package io.isthmus.api.config;

import io.isthmus.api.json.JsonReader;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** What a {@link SectionReader} reads with: the error collector, the document's ports and the sections it reads after. */
@ProviderType
public interface SectionContext {
    /** Collects every error of the document (pointer and reason); one per document, one thread. */
    JsonReader in();

    /** The ports the document declares, also those with errors of their own (so no error cascades). */
    KnownPorts ports();

    /**
     * The value of a section this reader declared in {@link SectionReader#AFTER} (read before it); empty for any
     * other section or when the value is not of {@code type}.
     */
    <T> Optional<T> section(String name, Class<T> type);
}
