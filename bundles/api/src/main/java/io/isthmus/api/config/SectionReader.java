package io.isthmus.api.config;

import io.isthmus.api.json.JsonValue;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: the capability that owns a top-level section of the network document reads it into its typed value
 * (the firewall bundle reads {@code firewall} into a {@link FirewallConfig}). Register as a service with the
 * property {@value #SECTION} naming the section, and {@value #AFTER} (a String or String[]) naming the sections
 * whose values this reader uses: the config service reads those first and hands their values over through
 * {@link SectionContext#section}. The ports are always read first ({@link SectionContext#ports()}).
 *
 * <p>A document naming a section no installed reader (nor a {@link SectionValidator} of its own section) owns is
 * refused with the section's pointer. When a reader's {@value #AFTER} names a section nobody reads, or the readers
 * wait for each other in a cycle, a document that has the section is refused with the section's pointer and the
 * reason; a document without it is read as before.
 *
 * <p>Readers are pure and fast: they are called for every validation, before anything is applied, and every error
 * goes to {@link SectionContext#in()} (pointer and reason, collected), never thrown. A document with an error is
 * refused as a whole, so the value read alongside an error is only seen by the readers after this one.
 *
 * @param <T> the section's value type, an API type (a record of this package) so that every bundle reads it
 */
@ConsumerType
public interface SectionReader<T> {
    /** Service property: the top-level section this reader owns (the same key a {@link SectionValidator} uses). */
    String SECTION = "isthmus.section";
    /** Service property: the sections (String or String[]) whose values this reader needs; read before it. */
    String AFTER = "isthmus.read.after";

    /**
     * Reads the section.
     *
     * @param section the section's value, its pointer absolute ({@code /firewall}); empty when the document leaves
     *                the section out: return the value that means "absent" (e.g. {@link FirewallConfig#empty()})
     * @return the section's value, never null; when errors were recorded, as much of it as could be read
     */
    T read(Optional<JsonValue> section, SectionContext context);
}
