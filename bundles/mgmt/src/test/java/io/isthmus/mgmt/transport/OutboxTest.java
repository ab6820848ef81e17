package io.isthmus.mgmt.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isthmus.api.mgmt.EventPublisher.Priority;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {
    @TempDir
    Path dir;

    static Outbox.Message message(String text) {
        return new Outbox.Message("isthmus/v1/gw/evt/test", text.getBytes(StandardCharsets.UTF_8), false,
                Optional.of(new byte[] {1, 2}));
    }

    static List<String> texts(Outbox o) {
        return o.head(1000, Set.of()).stream().map(e -> new String(e.message().payload(), StandardCharsets.UTF_8))
                .toList();
    }

    @Test
    void whatWasNotAcknowledgedIsThereAfterARestartInOrder() throws IOException {
        Path file = dir.resolve("outbox.journal");
        try (Outbox o = Outbox.open(file, 100, 1 << 20)) {
            long a = o.add(message("a"), Priority.LOW);
            o.add(message("b"), Priority.HIGH);
            o.add(message("c"), Priority.LOW);
            o.done(a);
        }
        try (Outbox o = Outbox.open(file, 100, 1 << 20)) {
            assertEquals(List.of("b", "c"), texts(o));
            Outbox.Entry b = o.head(1, Set.of()).get(0);
            assertEquals(Priority.HIGH, b.priority());
            assertEquals(2, b.message().correlation().get().length);
            long d = o.add(message("d"), Priority.LOW);
            assertEquals(4, d); // numbers go on where they stopped
        }
    }

    @Test
    void whenFullTheOldestLowPriorityMessageGoesFirstAndIsCounted() throws IOException {
        try (Outbox o = Outbox.open(dir.resolve("j"), 3, 1 << 20)) {
            o.add(message("reply-1"), Priority.HIGH);
            o.add(message("event-1"), Priority.LOW);
            o.add(message("event-2"), Priority.LOW);
            o.add(message("reply-2"), Priority.HIGH);
            o.add(message("reply-3"), Priority.HIGH);

            assertEquals(List.of("reply-1", "reply-2", "reply-3"), texts(o));
            assertEquals(2, o.dropped());
            assertEquals(2, o.takeUnreportedDrops());
            assertEquals(0, o.takeUnreportedDrops());
            o.add(message("reply-4"), Priority.HIGH); // no low one left: the oldest of all goes
            assertEquals(List.of("reply-2", "reply-3", "reply-4"), texts(o));
        }
    }

    @Test
    void aRecordTornByACrashIsCutOffAndTheRestKept() throws IOException {
        Path file = dir.resolve("j");
        try (Outbox o = Outbox.open(file, 100, 1 << 20)) {
            o.add(message("kept"), Priority.LOW);
        }
        Files.write(file, new byte[] {0, 0, 0, 40, 1, 0, 0}, StandardOpenOption.APPEND); // half a record
        try (Outbox o = Outbox.open(file, 100, 1 << 20)) {
            assertEquals(List.of("kept"), texts(o));
            o.add(message("after"), Priority.LOW);
        }
        try (Outbox o = Outbox.open(file, 100, 1 << 20)) {
            assertEquals(List.of("kept", "after"), texts(o));
        }
    }

    @Test
    void theJournalIsCompactedAsMessagesAreDelivered() throws IOException {
        Path file = dir.resolve("j");
        try (Outbox o = Outbox.open(file, 10_000, 1 << 24)) {
            for (int i = 0; i < 5000; i++) {
                o.done(o.add(message("m" + i), Priority.LOW));
            }
            o.add(message("last"), Priority.LOW);
        }
        assertEquals(true, Files.size(file) < 50_000, "journal size " + Files.size(file));
        try (Outbox o = Outbox.open(file, 100, 1 << 20)) {
            assertEquals(List.of("last"), texts(o));
        }
    }

    @Test
    void messagesBeingSentAreLeftOutOfTheHead() throws IOException {
        try (Outbox o = Outbox.open(dir.resolve("j"), 100, 1 << 20)) {
            long a = o.add(message("a"), Priority.LOW);
            o.add(message("b"), Priority.LOW);
            assertEquals(List.of("b"), o.head(10, Set.of(a)).stream().map(e -> new String(e.message().payload(),
                    StandardCharsets.UTF_8)).toList());
        }
    }
}
