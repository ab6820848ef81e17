package io.isthmus.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.config.UplinkConfig.DataCap;
import io.isthmus.api.runtime.DataFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataUsageTest {
    static final DataCap CAP = new DataCap(1000, 15);

    @Test
    void periodsBeginOnTheResetDayAtMidnightUtc() {
        assertEquals(Instant.parse("2026-03-15T00:00:00Z"), DataUsage.periodStart(Instant.parse("2026-03-20T10:00:00Z"), 15));
        assertEquals(Instant.parse("2026-02-15T00:00:00Z"), DataUsage.periodStart(Instant.parse("2026-03-14T23:59:59Z"), 15));
        assertEquals(Instant.parse("2025-12-28T00:00:00Z"), DataUsage.periodStart(Instant.parse("2026-01-03T00:00:00Z"), 28));
    }

    @Test
    void countsCounterDeltasAcrossRestartsAndResetsWithThePeriod(@TempDir Path dir) throws Exception {
        Instant march = Instant.parse("2026-03-20T10:00:00Z");
        DataUsage usage = new DataUsage();
        usage.count("wwan0", 5_000, CAP, march); // counting starts at the first reading
        usage.count("wwan0", 5_600, CAP, march.plusSeconds(1));
        assertEquals(600, usage.bytes("wwan0"));
        assertFalse(usage.reached("wwan0", CAP, march));

        DataFile file = new DataFile(Optional.of(dir.resolve("data-usage")));
        file.replace(usage.serialize());
        DataUsage restarted = DataUsage.parse(Files.readAllLines(dir.resolve("data-usage")));
        restarted.count("wwan0", 6_000, CAP, march.plusSeconds(60)); // the counter ran on while we were stopped
        assertEquals(1_000, restarted.bytes("wwan0"));
        assertTrue(restarted.reached("wwan0", CAP, march.plusSeconds(60)));

        restarted.count("wwan0", 50, CAP, march.plusSeconds(61)); // interface recreated: counter from zero
        assertEquals(1_050, restarted.bytes("wwan0"));
        restarted.count("wwan0", 150, CAP, Instant.parse("2026-04-15T00:00:01Z"));
        assertEquals(100, restarted.bytes("wwan0"), "a new period starts from zero");
        assertFalse(restarted.reached("wwan0", CAP, Instant.parse("2026-04-15T00:00:01Z")));
    }
}
