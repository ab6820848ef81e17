package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.linux.HelperStatus;
import io.isthmus.api.linux.KernelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real child process (a shell script standing in for a daemon): start-up failure, and status after a crash. */
class ConfiguredDaemonTest {
    @TempDir
    Path dir;

    private Path script(String body) throws Exception {
        Path s = dir.resolve("daemon.sh");
        Files.writeString(s, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwx------"));
        return s;
    }

    private ConfiguredDaemon daemon() {
        return new ConfiguredDaemon("test-daemon", new ProcessRunner(Namespace.NONE, Duration.ofSeconds(10)),
                dir.resolve("d.conf"), l -> l.equals("READY"), TestLog.logger("t"));
    }

    @Test
    void endingBeforeItsReadyLineFailsWithItsLastLines() throws Exception {
        Path s = script("echo starting\necho 'Need root privileges' >&2\nexit 77\n");
        ConfiguredDaemon d = daemon();
        KernelException e = assertThrows(KernelException.class, () -> d.run("x=1\n", s.toString(), List.of()));
        assertEquals("test-daemon: " + s + " did not start: starting | Need root privileges", e.getMessage());
        assertEquals(new HelperStatus("t", false, false, 0, Optional.empty()), d.status("t"));
    }

    @Test
    void aDaemonThatDiesLaterIsAProblemInStatus() throws Exception {
        Path flag = dir.resolve("crash");
        Path s = script("if [ -e " + flag + " ]; then echo 'cannot start again'; exit 1; fi\necho READY\n"
                + "while [ ! -e " + flag + " ]; do sleep 0.05; done\necho crashed\nexit 3\n");
        ConfiguredDaemon d = daemon();
        try {
            assertTrue(d.run("x=1\n", s.toString(), List.of()));
            assertEquals(new HelperStatus("t", true, true, 0, Optional.empty()), d.status("t"));
            Files.createFile(flag);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            HelperStatus st = d.status("t");
            while ((st.running() || st.restarts() < 2) && System.nanoTime() < deadline) {
                Thread.sleep(20); // polling the supervisor's state
                st = d.status("t");
            }
            assertTrue(st.wanted());
            assertTrue(st.restarts() >= 2, st.toString());
            assertFalse(st.running(), st.toString());
            assertEquals(Optional.of("test-daemon is not running (restarting with back-off): cannot start again"),
                    st.problem());
        } finally {
            d.stop();
        }
        assertEquals(new HelperStatus("t", false, false, 0, Optional.empty()), d.status("t"));
    }
}
