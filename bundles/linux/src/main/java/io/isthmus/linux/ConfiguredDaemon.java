package io.isthmus.linux;

import io.isthmus.api.linux.KernelException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.osgi.service.log.Logger;

/**
 * A daemon of the gateway's own (smcrouted, avahi-daemon) run in the foreground from a configuration file in
 * this bundle's data area: restarted with the new file when the configuration changes, left alone when it does
 * not, stopped when there is nothing to run, supervised (restarted with back-off) in between.
 */
final class ConfiguredDaemon {
    private static final SupervisedProcess.Backoff BACKOFF = new SupervisedProcess.Backoff(Duration.ofMillis(200),
            Duration.ofSeconds(10), Duration.ofSeconds(30));
    private static final Duration GRACE = Duration.ofSeconds(2);

    private final String name;
    private final ProcessRunner runner;
    private final Path config;
    private final Logger log;
    private Optional<SupervisedProcess> running = Optional.empty();
    private String runningConfig = "";

    ConfiguredDaemon(String name, ProcessRunner runner, Path config, Logger log) {
        this.name = name;
        this.runner = runner;
        this.config = config;
        this.log = log;
    }

    Path config() {
        return config;
    }

    /**
     * Runs {@code executable args} with {@code text} as its configuration file; empty text stops it. Returns
     * whether anything was started or stopped.
     */
    synchronized boolean run(String text, String executable, List<String> args) throws KernelException {
        if (text.equals(runningConfig) && (text.isEmpty() || running.isPresent())) {
            return false;
        }
        stop();
        if (text.isEmpty()) {
            return true;
        }
        write(text);
        SupervisedProcess process = new SupervisedProcess("isthmus-" + name, runner,
                ProcessRunner.resolve(executable), args, BACKOFF, new DebugOutput(name, log), log);
        process.start();
        running = Optional.of(process);
        runningConfig = text;
        log.info("{}: started with {}", name, config);
        return true;
    }

    synchronized void stop() {
        running.ifPresent(p -> {
            p.stop(GRACE);
            log.info("{}: stopped", name);
        });
        running = Optional.empty();
        runningConfig = "";
    }

    private void write(String text) throws KernelException {
        try {
            Files.createDirectories(config.getParent());
            Path temp = config.resolveSibling(config.getFileName() + ".new");
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new KernelException(name + ": cannot write " + config + ": " + e.getMessage(), e);
        }
    }
}
