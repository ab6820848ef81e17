package io.isthmus.api.config;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: a capability reconciles the kernel (or its own state) with its part of a validated
 * document. Register with the service property {@value #ORDER}: lower orders apply first (drivers
 * before routing before firewall). Must be idempotent: applying the same document twice changes
 * nothing the second time.
 *
 * <p>When an applier appears at runtime (its bundle started or updated) the config service hands it the
 * current document, so a new version adopts the state its predecessor left in place.
 */
@ConsumerType
public interface SectionApplier {
    /** Service property: integer order, lower applies first. */
    String ORDER = "isthmus.apply.order";

    /** Brings the system to what the document describes; throws with a clear message when it cannot. */
    void apply(NetworkDocument document) throws ApplyException;

    /**
     * The changes {@link #apply} would make for this document, in words (e.g. one line per kernel write), without
     * making them: what a dry run shows. Empty means nothing would change.
     */
    default List<String> preview(NetworkDocument document) throws ApplyException {
        return List.of();
    }
}
