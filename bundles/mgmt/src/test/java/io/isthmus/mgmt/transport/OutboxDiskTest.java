package io.isthmus.mgmt.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.mgmt.EventPublisher.Priority;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The outbox on a disk that fills up. The journal here is a byte array on a pretend filesystem of a fixed size:
 * a unit test cannot mount a full filesystem (ManagementDiskFullIT does, with a real tmpfs and a real broker).
 */
class OutboxDiskTest {
    static final long MIB = 1 << 20;

    /** A filesystem of {@code size} bytes holding this journal and {@code other} bytes of someone else's. */
    static final class SmallDisk implements Journal {
        final long size;
        long other;
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        int failures;

        SmallDisk(long size) {
            this.size = size;
        }

        long free() {
            return size - other - data.size();
        }

        @Override
        public InputStream read() {
            return new ByteArrayInputStream(data.toByteArray());
        }

        @Override
        public void append(byte[] frame) throws IOException {
            if (frame.length > free()) {
                failures++;
                data.write(frame, 0, (int) Math.max(0, free())); // torn, as a real full disk leaves it
                throw new IOException("No space left on device");
            }
            data.write(frame);
        }

        @Override
        public void rewrite(List<byte[]> frames) throws IOException {
            long need = frames.stream().mapToLong(f -> f.length).sum();
            if (need > size - other) { // the old file stays until the new one is complete
                failures++;
                throw new IOException("No space left on device");
            }
            ByteArrayOutputStream next = new ByteArrayOutputStream();
            for (byte[] f : frames) {
                next.write(f);
            }
            data = next;
        }

        @Override
        public long usableBytes() {
            return free();
        }

        @Override
        public long totalBytes() {
            return size;
        }

        @Override
        public void close() {
        }
    }

    static final class Heard implements Outbox.Listener {
        final List<String> failed = new ArrayList<>();
        final List<String> back = new ArrayList<>();

        @Override
        public void journalFailed(String why) {
            failed.add(why);
        }

        @Override
        public void journalBack(String how) {
            back.add(how);
        }
    }

    final AtomicLong now = new AtomicLong();
    final Heard heard = new Heard();

    Outbox open(SmallDisk disk, long minFree) {
        return Outbox.open(disk, new Outbox.Limits(10_000, 16 * MIB, minFree, 0), heard, now::get);
    }

    static Outbox.Message reply(int n) {
        return new Outbox.Message("isthmus/v1/gw/reply/x", ("reply " + n).getBytes(StandardCharsets.UTF_8), false,
                Optional.of(new byte[] {(byte) n}));
    }

    static List<String> texts(Outbox o) {
        return o.head(100_000, Set.of()).stream().map(e -> new String(e.message().payload(), StandardCharsets.UTF_8))
                .toList();
    }

    @Test
    void onAFullDiskRepliesStillGoOutFromMemoryAndTheJournalComesBackWhenThereIsRoom() {
        SmallDisk disk = new SmallDisk(MIB);
        Outbox o = open(disk, 0);
        o.add(reply(1), Priority.HIGH);
        assertEquals("ok", o.journalCondition());

        disk.other = disk.free() + disk.other; // someone else fills the disk
        for (int i = 2; i <= 1000; i++) {
            o.add(reply(i), Priority.HIGH); // never throws: the reply is not lost
        }
        assertEquals(1000, o.size(), "every reply waits to be sent");
        assertEquals("reply 1000", texts(o).get(999));
        assertEquals("memory-only (disk full)", o.journalCondition());
        assertEquals(1, heard.failed.size(), "said once, not per message: " + heard.failed);
        assertTrue(heard.failed.get(0).contains("disk full"), heard.failed.get(0));
        assertEquals(1, disk.failures, "the journal is not tried again for every message");
        for (Outbox.Entry e : o.head(500, Set.of())) {
            o.done(e.seq()); // delivered from memory
        }
        assertEquals(500, o.size());
        assertEquals(0, o.dropped());

        disk.other = 0; // room again: within a retry interval the journal is rewritten from memory
        now.addAndGet(Outbox.RETRY.toNanos());
        o.add(reply(1001), Priority.HIGH);
        assertEquals("ok", o.journalCondition());
        assertEquals(1, heard.back.size());

        // and it holds exactly what was pending: a restart now loses nothing and sends nothing twice
        Outbox again = open(disk, 0);
        assertEquals(texts(o), texts(again));
        assertEquals(501, again.size());
    }

    @Test
    void theJournalLeavesTheFreeSpaceReserveAndTheMessagesBeyondItAreKeptInMemory() {
        SmallDisk disk = new SmallDisk(12 * MIB);
        Outbox o = open(disk, 8 * MIB);
        byte[] big = new byte[64 * 1024];
        for (int i = 0; i < 200; i++) { // 12.5 MiB of events while the broker is away
            o.add(new Outbox.Message("isthmus/v1/gw/evt/test", big, false, Optional.empty()), Priority.LOW);
        }
        assertTrue(disk.free() >= 8 * MIB, "the reserve is left free: " + disk.free());
        assertEquals(200, o.size(), "the rest is held in memory, within outboxMaxBytes");
        assertTrue(o.journalCondition().startsWith("memory-only (less than 8.0 MiB free on the state disk: "),
                o.journalCondition());
        assertEquals(8 * MIB, o.status().reserveBytes());
        assertEquals(Optional.of(disk.free()), o.status().freeBytes());
    }

    @Test
    void withTheBrokerAwayTheJournalStaysAsSmallAsWhatItHolds() throws IOException {
        java.nio.file.Path file = java.nio.file.Files.createTempDirectory("outbox").resolve("outbox.journal");
        try (Outbox o = Outbox.open(file, 100, 1 << 20)) {
            for (int i = 0; i < 100_000; i++) { // events while the broker is down: all but the newest 100 dropped
                o.add(new Outbox.Message("isthmus/v1/gw/evt/test", new byte[100], false, Optional.empty()),
                        Priority.LOW);
            }
            assertEquals(100, o.size());
            assertEquals(99_900, o.dropped());
            long size = java.nio.file.Files.size(file);
            assertTrue(size < 2 * (2 * 100 + 1000) * 170L, "journal of " + size + " bytes for 100 messages");
        } finally {
            java.nio.file.Files.walk(file.getParent()).sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aPercentageReserveCountsWhenItIsTheLarger() {
        SmallDisk disk = new SmallDisk(1000 * MIB);
        Outbox o = Outbox.open(disk, new Outbox.Limits(10, MIB, 8 * MIB, 5), heard, now::get);
        assertEquals(1000 * MIB / 100 * 5, o.status().reserveBytes());
    }

    @Test
    void aGatewayStartingOnAFullDiskStillGetsAnOutbox() {
        SmallDisk disk = new SmallDisk(MIB);
        Outbox before = open(disk, 0);
        for (int i = 0; i < 10; i++) {
            before.add(reply(i), Priority.HIGH);
        }
        disk.other = disk.free(); // full; the journal holds 10 messages from before the restart

        Outbox o = open(disk, 1); // the compaction on open cannot get its reserve: no exception, memory-only
        assertEquals(10, o.size(), "what the journal had is replayed");
        assertTrue(o.journalCondition().startsWith("memory-only"), o.journalCondition());
        o.add(reply(99), Priority.HIGH);
        assertEquals(11, o.size());
    }
}
