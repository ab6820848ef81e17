package io.isthmus.linux;

import io.isthmus.api.linux.KernelException;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child started by {@link ProcessRunner#startPiped}: the caller writes its standard input while it runs, then
 * {@link #finish}es it (end of input, wait, result) or {@link #kill}s it before it has seen the end of its input.
 * Its output is drained on threads of its own, as {@link ProcessRunner#exec} does.
 */
final class PipedProcess {
    private final List<String> argv;
    private final Process process;
    private final Duration timeout;
    private final ProcessRunner.StreamCollector out;
    private final ProcessRunner.StreamCollector err;

    PipedProcess(String executable, List<String> argv, Process process, Duration timeout) {
        this.argv = argv;
        this.process = process;
        this.timeout = timeout;
        this.out = new ProcessRunner.StreamCollector(process.getInputStream(), "stdout " + executable);
        this.err = new ProcessRunner.StreamCollector(process.getErrorStream(), "stderr " + executable);
    }

    /** The child's standard input (buffered by the JDK); a write fails once the child has exited. */
    OutputStream stdin() {
        return process.getOutputStream();
    }

    /** Ends the input and waits for the child: its result whatever the exit code; fails only on timeout. */
    ProcessResult finish() throws KernelException {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // the child exited without reading all of its input: its exit code and stderr say why
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                ProcessRunner.stop(process, ProcessRunner.KILL_GRACE);
                throw new KernelException(String.join(" ", argv) + " timed out after " + timeout.toMillis() + " ms");
            }
            return new ProcessResult(argv, process.exitValue(), out.text(), err.text());
        } catch (InterruptedException e) {
            ProcessRunner.stop(process, ProcessRunner.KILL_GRACE);
            Thread.currentThread().interrupt();
            throw new KernelException(String.join(" ", argv) + " interrupted", e);
        }
    }

    /** SIGKILL, before the child has seen the end of its input, and the wait for it to go. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(ProcessRunner.KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // gone already
        }
    }
}
