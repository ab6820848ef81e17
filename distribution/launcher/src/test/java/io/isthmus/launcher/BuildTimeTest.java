package io.isthmus.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The build's timestamp reaches the framework as isthmus.build.time (the clock's floor, docs/services.md). */
class BuildTimeTest {
    @Test
    void theBuildTimeIsTheParentPomsReproducibleTimestamp() throws Exception {
        Matcher m = Pattern.compile("<project.build.outputTimestamp>([^<]+)<").matcher(
                Files.readString(Path.of("../../pom.xml")));
        assertTrue(m.find(), "the parent pom sets project.build.outputTimestamp");
        assertEquals(Instant.parse(m.group(1)), Launcher.buildTime().orElseThrow());
    }
}
