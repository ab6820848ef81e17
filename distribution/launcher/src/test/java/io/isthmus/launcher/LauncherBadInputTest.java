package io.isthmus.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input stops the launcher before anything is written: exit 2, one line naming file and problem. A bad
 * {@code --config} document is not such input: the gateway runs the generation it had (LauncherCliIT).
 */
class LauncherBadInputTest {
    @TempDir
    Path dir;
    TestDistribution dist;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws Exception {
        dist = new TestDistribution(dir.resolve("dist"));
        dist.bundle("org.example", "a", "1", "org.example.a", "1.0.0");
        dist.feature("f", "{\"id\": \"x:f:1\", \"bundles\": [\"org.example:a:1\"]}");
        dist.profile("{\"id\": \"p\", \"features\": [\"f\"]}");
    }

    private int run(String... args) {
        Launcher launcher = new Launcher(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Optional.of(dist.distribution()));
        return launcher.run(args);
    }

    private String oneErrorLine() {
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().count(), text);
        return text.strip();
    }

    private static String listing(Path root) throws Exception {
        if (!Files.exists(root)) {
            return "(absent)";
        }
        try (Stream<Path> s = Files.walk(root)) {
            return String.join("\n", s.map(root::relativize).map(Path::toString).sorted().toList());
        }
    }

    @Test
    void aProfileWithADuplicateKeyATooDeepOneOrTrailingContentIsRefusedBeforeAnyWrite() throws Exception {
        for (String text : new String[] {"{\"id\": \"p\", \"features\": [\"f\"], \"features\": []}",
            "{\"id\": \"p\", \"features\": [\"f\"], \"x\": " + "[".repeat(5000) + "]".repeat(5000) + "}",
            "{\"id\": \"p\", \"features\": [\"f\"]} {}"}) {
            err.reset();
            dist.profile(text);
            Path state = dir.resolve("state");
            assertEquals(2, run("run", "--state", state.toString()), err.toString());
            String line = oneErrorLine();
            assertTrue(line.contains("profile.json: invalid JSON"), line);
            assertFalse(Files.exists(state), "state dir not created");
        }
    }

    @Test
    void stateDirThatIsAFile() throws Exception {
        Path state = Files.writeString(dir.resolve("state"), "x");
        assertEquals(2, run("run", "--state", state.toString()));
        assertEquals("isthmus: " + state + ": state directory is not a directory", oneErrorLine());
    }

    @Test
    void profileNamingAMissingFeature() throws Exception {
        dist.profile("{\"id\": \"p\", \"features\": [\"f\", \"gone\"]}");
        Path state = dir.resolve("state");
        assertEquals(2, run("run", "--state", state.toString()));
        String line = oneErrorLine();
        assertTrue(line.contains("profile.json: feature \"gone\" not found"), line);
        assertFalse(Files.exists(state));
    }

    @Test
    void featureNamingAMissingBundle() throws Exception {
        dist.feature("f", "{\"id\": \"x:f:1\", \"bundles\": [\"org.example:a:1\", \"org.example:b:2\"]}");
        assertEquals(2, run("run", "--state", dir.resolve("state").toString()));
        String line = oneErrorLine();
        assertTrue(line.contains("f.json: bundle org.example:b:2 not found"), line);
    }

    @Test
    void unknownOption() {
        assertEquals(2, run("run", "--confg", "x"));
        assertTrue(oneErrorLine().contains("unknown option --confg"));
    }
}
