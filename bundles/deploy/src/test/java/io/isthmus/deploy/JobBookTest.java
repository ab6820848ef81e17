package io.isthmus.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobBookTest {
    @TempDir
    Path dir;

    private static Job job(String id, String bundle) {
        return new Job(id, Job.Kind.update, bundle, Optional.of("ab".repeat(32)), 100, new Job.Inline(50, 2), false,
                Duration.ofSeconds(5));
    }

    @Test
    void oneJobPerBundleAndFinishedJobsAreRememberedUpToTheLimit() throws Exception {
        JobBook book = JobBook.open(dir.resolve("jobs.json"));
        Job first = job("j1", "x");
        assertTrue(book.addUnlessBusy(first).isEmpty());
        assertEquals("j1", book.addUnlessBusy(job("j2", "x")).orElseThrow().id);
        first.finish(Job.State.rolledBack, Optional.of("component y not satisfied within 5000 ms"));
        book.save();
        for (int i = 0; i < JobBook.KEEP + 5; i++) {
            Job j = job("k" + i, "other");
            book.addUnlessBusy(j);
            j.finish(Job.State.committed, Optional.empty());
            book.save();
        }
        JobBook reopened = JobBook.open(dir.resolve("jobs.json"));
        assertTrue(reopened.get("j1").isEmpty(), "the oldest finished job went");
        Job last = reopened.get("k" + (JobBook.KEEP + 4)).orElseThrow();
        assertEquals(Job.State.committed, last.state());
        assertEquals("committed", last.view().get("outcome"));
        assertTrue(reopened.unfinished().isEmpty());
    }
}
