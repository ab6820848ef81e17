package io.isthmus.api.linux;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * nftables tables owned by the gateway, written as nft JSON ({@code nft -j}). A table is always replaced as a
 * whole in one atomic transaction ({@code add table}, {@code delete table}, {@code add table} and its objects
 * in one {@code nft -j -f -} batch): a bad rule leaves the old table in force, and no other table is touched.
 */
@ProviderType
public interface Nftables {
    /**
     * Replaces {@code table inet <table>} with the given objects.
     *
     * @param table   the table's name (family inet)
     * @param objects a JSON array of nft JSON objects to add, e.g. {@code [{"chain": {…}}, {"rule": {…}}]}; each
     *                must name family {@code inet} and this table
     * @throws KernelException when nft refuses the batch (the old table stays) or an object names another table
     */
    void replaceTable(String table, String objects) throws KernelException;

    /** The output of {@code nft -j list table inet <table>}, or empty when there is no such table. */
    Optional<String> listTable(String table) throws KernelException;

    /**
     * {@code table inet <table>} without its sets' elements: the table and its sets, chains and rules as
     * {@code nft -j -t list ruleset} prints them, as {@code {"nftables": [...]}}, or empty when there is no such
     * table. Cheap however many elements the sets hold, unlike {@link #listTable}.
     *
     * @since 1.4
     */
    Optional<String> listTableTerse(String table) throws KernelException;

    /** How many transactions this service has written since it started: a no-op reconcile adds none. */
    long writes();
}
