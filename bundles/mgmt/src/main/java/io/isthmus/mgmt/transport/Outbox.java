package io.isthmus.mgmt.transport;

import io.isthmus.api.mgmt.EventPublisher.Priority;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The QoS 1 messages (replies and events) waiting for the broker, kept in a journal so that they survive broker
 * outages and restarts. Bounded by count and bytes: when full, the oldest LOW message goes first (then the oldest
 * HIGH one), and the drop is counted. Each record carries a CRC, so a record torn by a crash is cut off on the
 * next open instead of corrupting the rest. Thread-safe.
 *
 * <p>Written to the page cache on every add (a killed process loses nothing), not forced to the disk: a power
 * loss may lose the last few seconds.
 *
 * <p>The disk never decides whether a message goes out: when the journal cannot be written (the disk is full) or
 * would eat into the free-space reserve, the outbox goes on in memory only (same bounds; what it holds then does
 * not survive a restart) and says so once; every few seconds it tries to rewrite the journal from memory, and is
 * back to normal when that works.
 */
public final class Outbox implements AutoCloseable {
    public record Message(String topic, byte[] payload, boolean retained, Optional<byte[]> correlation) {
        public int size() {
            return topic.length() + payload.length + correlation.map(c -> c.length).orElse(0) + 32;
        }
    }

    record Entry(long seq, Priority priority, Message message) {
    }

    /** The bounds: messages and bytes held, and the free space the journal leaves on its filesystem. */
    public record Limits(int maxMessages, long maxBytes, long minFreeBytes, int minFreePercent) {
        public Limits {
            maxMessages = Math.max(1, maxMessages);
            maxBytes = Math.max(1024, maxBytes);
            minFreeBytes = Math.max(0, minFreeBytes);
            minFreePercent = Math.max(0, Math.min(100, minFreePercent));
        }
    }

    /** Hears when the journal stops and starts again (the caller throttles the log). */
    public interface Listener {
        void journalFailed(String why);

        void journalBack(String how);
    }

    /** For status: what the outbox holds and how. */
    public record Status(int messages, long bytes, long dropped, String journal, Optional<Long> freeBytes,
            long reserveBytes) {
    }

    static final String JOURNAL_OK = "ok";
    private static final int COMPACT_SLACK = 1000;
    /** How often a memory-only outbox tries to write its journal again. */
    static final Duration RETRY = Duration.ofSeconds(5);

    private final Journal journal;
    private final Limits limits;
    private final Listener listener;
    private final LongSupplier nanos;
    private final LinkedHashMap<Long, Entry> pending = new LinkedHashMap<>();
    private long nextSeq = 1;
    private long bytes;
    private long dropped;
    private long droppedReported;
    private long records;
    private long reserve;
    /** Why the journal is not written now; empty while it is. */
    private Optional<String> memoryOnly = Optional.empty();
    private long lastTry;

    private Outbox(Journal journal, Limits limits, Listener listener, LongSupplier nanos) {
        this.journal = journal;
        this.limits = limits;
        this.listener = listener;
        this.nanos = nanos;
    }

    /** A file journal with no free-space reserve and nobody listening (tests of the queue itself). */
    static Outbox open(Path file, int maxMessages, long maxBytes) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        return open(new FileJournal(file), new Limits(maxMessages, maxBytes, 0, 0), new Listener() {
            @Override
            public void journalFailed(String why) {
            }

            @Override
            public void journalBack(String how) {
            }
        }, System::nanoTime);
    }

    /** Replays the journal and rewrites it compactly; never fails for the disk's sake (memory-only instead). */
    public static Outbox open(Journal journal, Limits limits, Listener listener, LongSupplier nanos) {
        Outbox outbox = new Outbox(journal, limits, listener, nanos);
        synchronized (outbox) {
            try {
                long total = journal.totalBytes();
                outbox.reserve = Math.max(limits.minFreeBytes(), total / 100 * limits.minFreePercent());
            } catch (IOException e) {
                outbox.reserve = limits.minFreeBytes();
            }
            try {
                outbox.replay();
            } catch (IOException e) {
                outbox.degrade("cannot read the journal: " + e.getMessage());
                return outbox;
            }
            outbox.lastTry = nanos.getAsLong();
            if (outbox.roomFor(outbox.journalBytes())) {
                try {
                    outbox.compact();
                } catch (IOException e) {
                    outbox.degrade(e);
                }
            }
        }
        return outbox;
    }

    /** Queues a message; returns its sequence number (ascending, never reused within this journal). */
    public synchronized long add(Message message, Priority priority) {
        while (!pending.isEmpty() && (pending.size() >= limits.maxMessages()
                || bytes + message.size() > limits.maxBytes())) {
            drop(victim());
        }
        Entry entry = new Entry(nextSeq++, priority, message);
        put(entry);
        if (journaled()) {
            byte[] frame = JournalRecords.frame(JournalRecords.add(entry));
            if (roomFor(frame.length)) {
                write(frame);
                compactIfWorthIt(); // with the broker away, drops are what would otherwise grow the journal
            }
        }
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
    synchronized void done(long seq) {
        Entry e = pending.remove(seq);
        if (e == null) {
            return;
        }
        bytes -= e.message().size();
        if (journaled()) {
            write(JournalRecords.frame(JournalRecords.done(seq))); // a few bytes, into the reserve if need be: it lets compaction free more
            compactIfWorthIt();
        }
    }

    /** Rewrites the journal once it holds mostly records of messages gone (sent or dropped). */
    private void compactIfWorthIt() {
        if (journaled() && records > 2L * pending.size() + COMPACT_SLACK) {
            try {
                compact();
            } catch (IOException io) {
                degrade(io);
            }
        }
    }

    public synchronized int size() {
        return pending.size();
    }

    public synchronized long dropped() {
        return dropped;
    }

    /** Drops not yet reported, and marks them reported. */
    public synchronized long takeUnreportedDrops() {
        long n = dropped - droppedReported;
        droppedReported = dropped;
        return n;
    }

    /** "ok", or "memory-only (why)". */
    synchronized String journalCondition() {
        return memoryOnly.map(why -> "memory-only (" + why + ")").orElse(JOURNAL_OK);
    }

    public synchronized Status status() {
        Optional<Long> free;
        try {
            free = Optional.of(journal.usableBytes());
        } catch (IOException e) {
            free = Optional.empty();
        }
        return new Status(pending.size(), bytes, dropped, journalCondition(), free, reserve);
    }

    @Override
    public synchronized void close() throws IOException {
        journal.close();
    }

    private Entry victim() {
        return pending.values().stream().filter(e -> e.priority() == Priority.LOW).findFirst()
                .orElseGet(() -> pending.values().iterator().next());
    }

    private void drop(Entry e) {
        pending.remove(e.seq());
        bytes -= e.message().size();
        dropped++;
        if (journaled()) {
            write(JournalRecords.frame(JournalRecords.done(e.seq())));
        }
    }

    private void put(Entry e) {
        pending.put(e.seq(), e);
        bytes += e.message().size();
    }

    /** Whether the journal is written now; when not, tries to bring it back now and then. */
    private boolean journaled() {
        if (memoryOnly.isEmpty()) {
            return true;
        }
        long now = nanos.getAsLong();
        if (now - lastTry < RETRY.toNanos()) {
            return false;
        }
        lastTry = now;
        String why = memoryOnly.get();
        if (!roomFor(journalBytes())) {
            return false;
        }
        try {
            compact();
            memoryOnly = Optional.empty();
            listener.journalBack("outbox: the journal is written again (it was memory-only: " + why + "); "
                    + pending.size() + " messages kept in it");
            return true;
        } catch (IOException e) {
            degrade(e);
            return false;
        }
    }

    /** Whether writing {@code n} more bytes leaves the reserve free; if not, memory-only from now. */
    private boolean roomFor(long n) {
        if (reserve == 0) {
            return true;
        }
        try {
            long free = journal.usableBytes();
            if (free - n >= reserve) {
                return true;
            }
            degrade(free < n ? "disk full" : "less than " + mib(reserve) + " free on the state disk: " + mib(free)
                    + " free");
        } catch (IOException e) {
            degrade(e);
        }
        return false;
    }

    private long journalBytes() {
        return bytes + 64L * pending.size();
    }

    private void degrade(IOException e) {
        String m = String.valueOf(e.getMessage());
        degrade(m.contains("No space left on device") ? "disk full" : m);
    }

    private void degrade(String why) {
        boolean was = memoryOnly.isPresent();
        memoryOnly = Optional.of(why);
        lastTry = nanos.getAsLong();
        try {
            journal.close();
        } catch (IOException ignored) {
            // the handle goes either way; the next rewrite opens a new one
        }
        if (!was) {
            listener.journalFailed("outbox: cannot write the journal (" + why + "); replies and events go out "
                    + "from memory (" + pending.size() + " held; they do not survive a restart until it is back)");
        }
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** Rebuilds the queue from the journal, stopping at the first torn or corrupt record. */
    private void replay() throws IOException {
        try (InputStream raw = journal.read()) {
            JournalRecords.read(raw, this::apply);
        }
    }

    private void apply(byte[] record) throws IOException {
        JournalRecords.Decoded d = JournalRecords.decode(record);
        nextSeq = Math.max(nextSeq, d.seq() + 1);
        if (d.added().isEmpty()) {
            Entry e = pending.remove(d.seq());
            if (e != null) {
                bytes -= e.message().size();
            }
            return;
        }
        put(d.added().get());
    }

    /** Rewrites the journal with only the pending messages, atomically. */
    private void compact() throws IOException {
        List<byte[]> frames = new ArrayList<>(pending.size());
        for (Entry e : pending.values()) {
            frames.add(JournalRecords.frame(JournalRecords.add(e)));
        }
        journal.rewrite(frames);
        records = pending.size();
    }

    private void write(byte[] frame) {
        try {
            journal.append(frame);
            records++;
        } catch (IOException e) {
            degrade(e);
        }
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
