package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.linux.KernelException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs harmless standard tools (sh, cat) with no root needed. */
@Timeout(30)
class ProcessRunnerTest {
    private final ProcessRunner runner = new ProcessRunner(Namespace.NONE, Duration.ofSeconds(10));

    @Test
    void stdinToStdout() throws KernelException {
        assertEquals("line one\nline two\n", runner.run("cat", List.of(), "line one\nline two\n").stdout());
    }

    @Test
    void argumentsAreNeverInterpretedByAShell() throws KernelException {
        ProcessResult r = runner.exec("sh", List.of("-c", "printf '%s|' \"$@\"", "sh", "a b", "$(id)", ";", "*"), null);
        assertEquals("a b|$(id)|;|*|", r.stdout());
    }

    @Test
    void nonZeroExitNamesTheCommandAndStderr() {
        KernelException e = assertThrows(KernelException.class,
                () -> runner.run("sh", List.of("-c", "echo first >&2; echo second >&2; exit 3")));
        assertTrue(e.getMessage().contains("/bin/sh -c"), e.getMessage());
        assertTrue(e.getMessage().contains("exited 3: first | second"), e.getMessage());
    }

    @Test
    void aChattyChildDoesNotBlock() throws KernelException {
        // 4 MB on each stream, far beyond a pipe's buffer
        ProcessResult r = runner.exec("sh", List.of("-c",
                "head -c 4194304 /dev/zero | tr '\\0' o; head -c 4194304 /dev/zero | tr '\\0' e >&2"), null);
        assertEquals(4194304, r.stdout().length());
        assertEquals(4194304, r.stderr().length());
    }

    @Test
    void aHangingChildIsKilledAtTheTimeout() {
        ProcessRunner quick = new ProcessRunner(Namespace.NONE, Duration.ofMillis(300));
        long start = System.nanoTime();
        KernelException e = assertThrows(KernelException.class,
                () -> quick.run("sh", List.of("-c", "trap '' TERM; while :; do sleep 1; done")));
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 5000, "TERM ignored, then KILL");
        assertTrue(ProcessHandle.current().children().noneMatch(p -> p.info().command().orElse("").endsWith("sh")),
                "no child left behind");
    }

    @Test
    void executablesComeFromTheSystemDirectories() throws KernelException {
        assertTrue(ProcessRunner.resolve("ip").matches("/(usr/)?s?bin/ip"));
        assertThrows(KernelException.class, () -> ProcessRunner.resolve("no-such-tool-isthmus"));
    }

    @Test
    void aNamespacePrefixesEveryCommand() throws KernelException {
        assertEquals(List.of(ProcessRunner.resolve("ip"), "netns", "exec", "isl-x", "/usr/bin/udhcpc", "-f"),
                Namespace.of("isl-x").argv("/usr/bin/udhcpc", List.of("-f")));
        assertEquals(List.of("/sbin/ip", "-j"), Namespace.NONE.argv("/sbin/ip", List.of("-j")));
    }
}
