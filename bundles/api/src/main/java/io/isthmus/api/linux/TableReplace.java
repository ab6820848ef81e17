package io.isthmus.api.linux;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One replace of a table whose objects are added while they are made ({@link Nftables#startReplace}): nft may
 * already be reading them, but nothing changes in the kernel before {@link #commit}, and a replace closed without
 * a commit (the caller found nothing to write, or failed while making the objects) changes nothing.
 *
 * @since 1.7
 */
@ProviderType
public interface TableReplace extends AutoCloseable {
    /**
     * Adds one nft JSON object, e.g. {@code {"rule": {…}}}, which must name family {@code inet} and the table.
     * Never throws: an object that is refused, or a write nft could not take, is what {@link #commit} reports.
     *
     * @throws IllegalStateException after {@link #commit} or {@link #close}
     */
    void add(CharSequence object);

    /**
     * Ends the batch and waits for nft: returns once the whole table is in force.
     *
     * @throws KernelException when an object was refused or nft refused the batch: the old table stays
     * @throws IllegalStateException when called twice, or after {@link #close}
     */
    void commit() throws KernelException;

    /** Abandons the replace unless it was committed: nft is stopped before it has the whole batch. */
    @Override
    void close();
}
