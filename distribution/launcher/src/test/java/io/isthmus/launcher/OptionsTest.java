package io.isthmus.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OptionsTest {
    @Test
    void defaultsToVarLibIsthmusAndProfileDocument() throws Exception {
        Options o = Options.parse(new String[] {"run"});
        assertEquals(Path.of("/var/lib/isthmus"), o.state());
        assertEquals(Optional.empty(), o.config());
    }

    @Test
    void readsConfigStateAndShell() throws Exception {
        Options o = Options.parse(new String[] {"run", "--config", "n.json", "--state", "/tmp/s", "--shell"});
        assertEquals(Optional.of(Path.of("n.json")), o.config());
        assertEquals(Path.of("/tmp/s"), o.state());
        assertTrue(o.shell());
    }

    @Test
    void rejectsUnknownOptionsAndMissingValues() {
        assertTrue(assertThrows(LaunchException.class, () -> Options.parse(new String[] {"run", "--bogus"}))
                .getMessage().contains("unknown option --bogus"));
        assertTrue(assertThrows(LaunchException.class, () -> Options.parse(new String[] {"run", "--state"}))
                .getMessage().contains("--state needs a value"));
        assertTrue(assertThrows(LaunchException.class, () -> Options.parse(new String[] {}))
                .getMessage().startsWith("usage:"));
    }
}
