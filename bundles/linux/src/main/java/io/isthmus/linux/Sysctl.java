package io.isthmus.linux;

import io.isthmus.api.linux.KernelException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Kernel parameters under net.: read and written in /proc/sys directly; inside a configured namespace through
 * {@code sysctl} (a process of ours cannot see another namespace's /proc/sys/net).
 */
final class Sysctl {
    private static final Path PROC_SYS = Path.of("/proc/sys");
    private final ProcessRunner runner;

    Sysctl(ProcessRunner runner) {
        this.runner = runner;
    }

    Optional<String> read(String key) throws KernelException {
        String path = ArgumentChecks.sysctlPath(key);
        if (runner.namespace().isSet()) {
            ProcessResult r = runner.exec("sysctl", List.of("-n", path), null);
            if (!r.ok() && r.stderr().contains("cannot stat")) {
                return Optional.empty();
            } else if (!r.ok()) {
                throw new KernelException(r.describe());
            }
            return Optional.of(r.stdout().strip());
        }
        try {
            return Optional.of(Files.readString(PROC_SYS.resolve(path), StandardCharsets.US_ASCII).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new KernelException("cannot read sysctl " + key + ": " + e.getMessage(), e);
        }
    }

    void write(String key, String value) throws KernelException {
        String path = ArgumentChecks.sysctlPath(key);
        ArgumentChecks.sysctlValue(value);
        if (runner.namespace().isSet()) {
            runner.run("sysctl", List.of("-q", "-w", path + "=" + value));
            return;
        }
        try {
            Files.writeString(PROC_SYS.resolve(path), value, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new KernelException("cannot write sysctl " + key + "=" + value + ": " + e.getMessage(), e);
        }
    }
}
