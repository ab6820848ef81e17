package io.isthmus.mgmt.transport;

import io.isthmus.api.mgmt.EventPublisher.Priority;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The outbox journal's format: each record framed as length, bytes, CRC-32; a record either adds a message (its
 * sequence number, priority, retained flag, topic, correlation data, payload) or marks one done.
 */
final class JournalRecords {
    private static final byte ADD = 1;
    private static final byte DONE = 2;

    /** One record read back: its sequence number, and the entry it adds (empty: it marks that one done). */
    record Decoded(long seq, Optional<Outbox.Entry> added) {
    }

    /** Takes one record's bytes. */
    interface Sink {
        void accept(byte[] record) throws IOException;
    }

    private JournalRecords() {
    }

    /** Hands every whole record to {@code sink}, stopping at the first torn or corrupt one. */
    static void read(InputStream raw, Sink sink) throws IOException {
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw))) {
            while (true) {
                byte[] record;
                try {
                    int length = in.readInt();
                    if (length <= 0 || length > 64 * 1024 * 1024) {
                        break;
                    }
                    record = in.readNBytes(length);
                    long crc = in.readLong();
                    if (record.length != length || crc != crc(record)) {
                        break;
                    }
                } catch (EOFException torn) {
                    break;
                }
                sink.accept(record);
            }
        }
    }

    static Decoded decode(byte[] record) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(record));
        byte type = in.readByte();
        long seq = in.readLong();
        if (type == DONE) {
            return new Decoded(seq, Optional.empty());
        }
        Priority priority = Priority.values()[in.readByte()];
        boolean retained = in.readBoolean();
        String topic = in.readUTF();
        int corr = in.readInt();
        Optional<byte[]> correlation = corr < 0 ? Optional.empty() : Optional.of(in.readNBytes(corr));
        byte[] payload = in.readNBytes(in.readInt());
        return new Decoded(seq, Optional.of(new Outbox.Entry(seq, priority, new Outbox.Message(topic, payload,
                retained, correlation))));
    }

    static byte[] frame(byte[] record) {
        ByteBuffer buf = ByteBuffer.allocate(record.length + 12);
        buf.putInt(record.length).put(record).putLong(crc(record));
        return buf.array();
    }

    static byte[] add(Outbox.Entry e) {
        try {
            return addRecordOf(e);
        } catch (IOException cannot) {
            throw new java.io.UncheckedIOException(cannot); // into a byte array: does not happen
        }
    }

    private static byte[] addRecordOf(Outbox.Entry e) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(e.message().size() + 16);
        DataOutputStream out = new DataOutputStream(buf);
        Outbox.Message m = e.message();
        out.writeByte(ADD);
        out.writeLong(e.seq());
        out.writeByte(e.priority().ordinal());
        out.writeBoolean(m.retained());
        out.writeUTF(m.topic());
        out.writeInt(m.correlation().map(c -> c.length).orElse(-1));
        if (m.correlation().isPresent()) {
            out.write(m.correlation().get());
        }
        out.writeInt(m.payload().length);
        out.write(m.payload());
        return buf.toByteArray();
    }

    static byte[] done(long seq) {
        return ByteBuffer.allocate(9).put(DONE).putLong(seq).array();
    }

    private static long crc(byte[] record) {
        CRC32 crc = new CRC32();
        crc.update(record);
        return crc.getValue();
    }

}
