package io.isthmus.api.config;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: a capability reconciles the kernel (or its own state) with its part of a validated
 * document. Register with a {@value #NAME} and say which appliers must run before it ({@value #AFTER}) or after it
 * ({@value #BEFORE}): drivers before uplink before routing before firewall. Names no registered applier has are
 * ignored (that capability is not in the profile); a cycle fails every apply with a message naming it. Must be
 * idempotent: applying the same document twice changes nothing the second time.
 *
 * <p>When an applier appears at runtime (its bundle started or updated) the config service hands it the
 * current document, so a new version adopts the state its predecessor left in place.
 */
@ConsumerType
public interface SectionApplier {
    /** Service property: this applier's name in the apply order, e.g. {@code routing}; default the component name. */
    String NAME = "isthmus.applier";

    /** Service property (String or String[]): names of the appliers that must apply before this one. */
    String AFTER = "isthmus.apply.after";

    /** Service property (String or String[]): names of the appliers that must apply after this one. */
    String BEFORE = "isthmus.apply.before";

    /**
     * Service property of API 1.0-1.2, an integer (lower applied first).
     *
     * @deprecated ignored since 1.3: the order follows {@link #AFTER} and {@link #BEFORE}
     */
    @Deprecated
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
