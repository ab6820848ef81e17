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

    /**
     * Starts replacing {@code table inet <table>} in the same one transaction as {@link #replaceTable}, with the
     * objects added one by one as the caller makes them: the {@code nft} process starts at once and parses them
     * while the rest are being made. Each object is checked as it is added; nothing is in force before
     * {@link TableReplace#commit}. This default gathers the objects and calls {@link #replaceTable} at the commit.
     *
     * @param table the table's name (family inet)
     * @throws KernelException when the table name is invalid or nft cannot start
     * @since 1.7
     */
    default TableReplace startReplace(String table) throws KernelException {
        StringBuilder objects = new StringBuilder("[");
        return new TableReplace() {
            private boolean done;

            @Override
            public void add(CharSequence object) {
                if (done) {
                    throw new IllegalStateException("replace of " + table + " already ended");
                }
                objects.append(objects.length() > 1 ? "," : "").append(object);
            }

            @Override
            public void commit() throws KernelException {
                if (done) {
                    throw new IllegalStateException("replace of " + table + " already ended");
                }
                done = true;
                replaceTable(table, objects.append(']').toString());
            }

            @Override
            public void close() {
                done = true;
            }
        };
    }

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
