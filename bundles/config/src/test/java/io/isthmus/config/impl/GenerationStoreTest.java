package io.isthmus.config.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.config.Generation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerationStoreTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T10:15:30Z"), ZoneOffset.UTC);

    @TempDir
    Path state;

    private final RecordingLog log = new RecordingLog();

    private GenerationStore open() throws IOException {
        return GenerationStore.open(state, CLOCK, log);
    }

    private Path generations() {
        return state.resolve("config/generations");
    }

    private static String doc(int n) {
        return "{\"dns\": {\"servers\": [\"10.0.0." + n + "\"]}}";
    }

    @Test
    void aCommitIsKeptExactlyAsGivenAndSurvivesARestart() throws IOException {
        String json = "{ \"dns\" :{\"servers\":[]}  }\n";
        Generation committed = open().commit(json, "mqtt:config.put", 10);

        GenerationStore reopened = open();

        assertEquals(new Generation(1, CLOCK.instant(), "mqtt:config.put", GenerationStore.sha256(json)), committed);
        assertEquals(Optional.of(committed), reopened.current());
        assertEquals(Optional.of(json), reopened.json(1));
        assertEquals(json, Files.readString(generations().resolve("00000001.json")));
        assertEquals("1", Files.readString(state.resolve("config/current")).trim());
        String meta = Files.readString(generations().resolve("00000001.meta.json"));
        assertTrue(meta.contains("\"sha256\":\"" + committed.sha256() + "\""), meta);
        assertTrue(meta.contains("\"committedAt\":\"2026-03-01T10:15:30Z\""), meta);
    }

    @Test
    void historyIsNewestFirst() throws IOException {
        GenerationStore store = open();
        for (int n = 1; n <= 3; n++) {
            store.commit(doc(n), "test-" + n, 10);
        }

        assertEquals(List.of(3L, 2L, 1L), store.history().stream().map(Generation::number).toList());
        assertEquals("test-3", store.history().get(0).source());
    }

    @Test
    void onlyTheNewestAreKeptAndNumbersAreNeverReused() throws IOException {
        GenerationStore store = open();
        for (int n = 1; n <= 5; n++) {
            store.commit(doc(n), "test", 3);
        }

        assertEquals(List.of(5L, 4L, 3L), store.history().stream().map(Generation::number).toList());
        assertEquals(Optional.empty(), store.json(2));
        assertFalse(Files.exists(generations().resolve("00000002.json")));
        assertFalse(Files.exists(generations().resolve("00000002.meta.json")));
        assertEquals(6, open().commit(doc(6), "after restart", 3).number());
    }

    @Test
    void atLeastTwoGenerationsAreKeptSoThereIsAlwaysOneToGoBackTo() throws IOException {
        GenerationStore store = open();
        for (int n = 1; n <= 4; n++) {
            store.commit(doc(n), "test", 0);
        }

        assertEquals(List.of(4L, 3L), store.history().stream().map(Generation::number).toList());
    }

    @Test
    void leftoverTempFilesAreDeletedOnStart() throws IOException {
        open().commit(doc(1), "test", 10);
        Path tornTemp = generations().resolve("00000002.json.123.tmp");
        Path tornPointer = state.resolve("config/current.456.tmp");
        Files.writeString(tornTemp, "{\"dns\": ");
        Files.writeString(tornPointer, "2");

        GenerationStore store = open();

        assertFalse(Files.exists(tornTemp));
        assertFalse(Files.exists(tornPointer));
        assertEquals(1, store.current().orElseThrow().number());
    }

    @Test
    void aGenerationWhoseDocumentDoesNotMatchItsHashIsIgnored() throws IOException {
        GenerationStore store = open();
        store.commit(doc(1), "test", 10);
        store.commit(doc(2), "test", 10);
        Files.writeString(generations().resolve("00000001.json"), "{\"dns\": {\"servers\": [\"6.6.6.6\"]}}");

        GenerationStore reopened = open();

        assertEquals(List.of(2L), reopened.history().stream().map(Generation::number).toList());
        assertEquals(Optional.empty(), reopened.json(1));
        assertTrue(log.has("WARN", "ignoring generation 1"), log.lines.toString());
    }

    @Test
    void aCorruptCurrentFallsBackToTheNewestValidGeneration() throws IOException {
        GenerationStore store = open();
        store.commit(doc(1), "test", 10);
        store.commit(doc(2), "test", 10);
        store.commit(doc(3), "test", 10);
        // Generation 3 torn: its document lost the end of its text.
        Files.writeString(generations().resolve("00000003.json"), "{\"dns\"");

        GenerationStore reopened = open();

        assertEquals(2, reopened.current().orElseThrow().number());
        assertEquals("2", Files.readString(state.resolve("config/current")).trim());
        assertTrue(log.has("WARN", "falling back to the newest valid one, 2"), log.lines.toString());
        // 3 was seen, even though it is unusable: the next commit must not take its number.
        assertEquals(4, reopened.commit(doc(4), "test", 10).number());
    }

    @Test
    void aMissingCurrentPointerFallsBackToo() throws IOException {
        open().commit(doc(1), "test", 10);
        Files.delete(state.resolve("config/current"));

        assertEquals(1, open().current().orElseThrow().number());
    }

    @Test
    void aGenerationWithoutMetaIsAnInterruptedCommit() throws IOException {
        open().commit(doc(1), "test", 10);
        Files.writeString(generations().resolve("00000002.json"), doc(2));

        GenerationStore store = open();

        assertEquals(List.of(1L), store.history().stream().map(Generation::number).toList());
        assertEquals(3, store.commit(doc(3), "test", 10).number());
    }

    @Test
    void aCrashBeforeThePointerMovedKeepsTheOldGenerationCurrent() throws IOException {
        GenerationStore store = open();
        store.commit(doc(1), "test", 10);
        store.commit(doc(2), "test", 10);
        // Power lost after generation 2 was written but before "current" was replaced.
        Files.writeString(state.resolve("config/current"), "1");

        GenerationStore reopened = open();

        assertEquals(1, reopened.current().orElseThrow().number());
        assertEquals(List.of(2L, 1L), reopened.history().stream().map(Generation::number).toList());
        assertEquals(3, reopened.commit(doc(3), "test", 10).number());
    }

    @Test
    void noTempFileIsLeftAfterCommits() throws IOException {
        GenerationStore store = open();
        for (int n = 1; n <= 3; n++) {
            store.commit(doc(n), "test", 2);
        }

        try (Stream<Path> files = Files.walk(state)) {
            assertEquals(List.of(), files.filter(f -> f.toString().endsWith(".tmp")).toList());
        }
        assertEquals(doc(3), new String(Files.readAllBytes(generations().resolve("00000003.json")),
                StandardCharsets.UTF_8));
    }
}
