package io.isthmus.mgmt.transport;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** Where the outbox keeps its records: a file in the bundle's data area ({@link FileJournal}), or a test's. */
interface Journal extends AutoCloseable {
    /** Everything written so far, for replay; an empty stream when there is no journal yet. */
    InputStream read() throws IOException;

    /** Appends one framed record (to the page cache: a killed process loses nothing). */
    void append(byte[] frame) throws IOException;

    /** Replaces the whole journal with these framed records, atomically. */
    void rewrite(List<byte[]> frames) throws IOException;

    /** Bytes free for an unprivileged writer on the journal's filesystem. */
    long usableBytes() throws IOException;

    /** The size of that filesystem. */
    long totalBytes() throws IOException;

    @Override
    void close() throws IOException;
}
