package io.isthmus.mgmt;

import io.isthmus.api.mgmt.EventPublisher.Priority;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The QoS 1 messages (replies and events) waiting for the broker, kept in a journal file so that they survive
 * broker outages and restarts. Bounded by count and bytes: when full, the oldest LOW message goes first (then
 * the oldest HIGH one), and the drop is counted. Each record carries a CRC, so a record torn by a crash is cut
 * off on the next open instead of corrupting the rest. Thread-safe.
 *
 * <p>Written to the page cache on every add (a killed process loses nothing), not forced to the disk: a power
 * loss may lose the last few seconds.
 */
final class Outbox implements AutoCloseable {
    record Message(String topic, byte[] payload, boolean retained, Optional<byte[]> correlation) {
        int size() {
            return topic.length() + payload.length + correlation.map(c -> c.length).orElse(0) + 32;
        }
    }

    record Entry(long seq, Priority priority, Message message) {
    }

    private static final byte ADD = 1;
    private static final byte DONE = 2;
    private static final int COMPACT_SLACK = 1000;

    private final Path file;
    private final int maxMessages;
    private final long maxBytes;
    private final LinkedHashMap<Long, Entry> pending = new LinkedHashMap<>();
    private OutputStream journal;
    private long nextSeq = 1;
    private long bytes;
    private long dropped;
    private long droppedReported;
    private long records;

    private Outbox(Path file, int maxMessages, long maxBytes) {
        this.file = file;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
    }

    static Outbox open(Path file, int maxMessages, long maxBytes) throws IOException {
        Outbox outbox = new Outbox(file, Math.max(1, maxMessages), Math.max(1024, maxBytes));
        Files.createDirectories(file.toAbsolutePath().getParent());
        outbox.replay();
        outbox.compact();
        return outbox;
    }

    /** Queues a message; returns its sequence number (ascending, never reused within this file). */
    synchronized long add(Message message, Priority priority) throws IOException {
        while (!pending.isEmpty() && (pending.size() >= maxMessages || bytes + message.size() > maxBytes)) {
            drop(victim());
        }
        Entry entry = new Entry(nextSeq++, priority, message);
        write(addRecord(entry));
        put(entry);
        return entry.seq();
    }

    /** Up to {@code limit} of the oldest messages, leaving out those already being sent. */
    synchronized List<Entry> head(int limit, Set<Long> skip) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : pending.values()) {
            if (out.size() >= limit) {
                break;
            }
            if (!skip.contains(e.seq())) {
                out.add(e);
            }
        }
        return out;
    }

    /** The broker has it: forget it. Unknown numbers (already dropped) are ignored. */
    synchronized void done(long seq) throws IOException {
        Entry e = pending.remove(seq);
        if (e == null) {
            return;
        }
        bytes -= e.message().size();
        write(doneRecord(seq));
        if (records > 2L * pending.size() + COMPACT_SLACK) {
            compact();
        }
    }

    synchronized int size() {
        return pending.size();
    }

    synchronized long dropped() {
        return dropped;
    }

    /** Drops not yet reported, and marks them reported. */
    synchronized long takeUnreportedDrops() {
        long n = dropped - droppedReported;
        droppedReported = dropped;
        return n;
    }

    @Override
    public synchronized void close() throws IOException {
        if (journal != null) {
            journal.close();
            journal = null;
        }
    }

    private Entry victim() {
        return pending.values().stream().filter(e -> e.priority() == Priority.LOW).findFirst()
                .orElseGet(() -> pending.values().iterator().next());
    }

    private void drop(Entry e) throws IOException {
        pending.remove(e.seq());
        bytes -= e.message().size();
        dropped++;
        write(doneRecord(e.seq()));
    }

    private void put(Entry e) {
        pending.put(e.seq(), e);
        bytes += e.message().size();
    }

    /** Rebuilds the queue from the journal, stopping at the first torn or corrupt record. */
    private void replay() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(
                new java.io.BufferedInputStream(raw))) {
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
                apply(record);
            }
        }
    }

    private void apply(byte[] record) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(record));
        byte type = in.readByte();
        long seq = in.readLong();
        nextSeq = Math.max(nextSeq, seq + 1);
        if (type == DONE) {
            Entry e = pending.remove(seq);
            if (e != null) {
                bytes -= e.message().size();
            }
            return;
        }
        Priority priority = Priority.values()[in.readByte()];
        boolean retained = in.readBoolean();
        String topic = in.readUTF();
        int corr = in.readInt();
        Optional<byte[]> correlation = corr < 0 ? Optional.empty() : Optional.of(in.readNBytes(corr));
        byte[] payload = in.readNBytes(in.readInt());
        put(new Entry(seq, priority, new Message(topic, payload, retained, correlation)));
    }

    /** Rewrites the journal with only the pending messages, atomically. */
    private void compact() throws IOException {
        close();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (Entry e : pending.values()) {
                ch.write(ByteBuffer.wrap(frame(addRecord(e))));
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        records = pending.size();
        journal = new java.io.FileOutputStream(file.toFile(), true);
    }

    private void write(byte[] record) throws IOException {
        journal.write(frame(record));
        records++;
    }

    private static byte[] frame(byte[] record) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(record.length + 12);
        DataOutputStream out = new DataOutputStream(buf);
        out.writeInt(record.length);
        out.write(record);
        out.writeLong(crc(record));
        return buf.toByteArray();
    }

    private static byte[] addRecord(Entry e) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(e.message().size() + 16);
        DataOutputStream out = new DataOutputStream(buf);
        Message m = e.message();
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

    private static byte[] doneRecord(long seq) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(9);
        DataOutputStream out = new DataOutputStream(buf);
        out.writeByte(DONE);
        out.writeLong(seq);
        return buf.toByteArray();
    }

    private static long crc(byte[] record) {
        CRC32 crc = new CRC32();
        crc.update(record);
        return crc.getValue();
    }

    /** For tests: the pending sequence numbers in order. */
    synchronized List<Long> sequence() {
        List<Long> out = new ArrayList<>();
        for (Iterator<Long> it = pending.keySet().iterator(); it.hasNext();) {
            out.add(it.next());
        }
        return out;
    }
}
