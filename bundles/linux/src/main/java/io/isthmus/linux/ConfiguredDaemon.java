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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.osgi.service.log.Logger;

/**
 * A daemon of the gateway's own (smcrouted, avahi-daemon) run in the foreground from a configuration file in
 * this bundle's data area: restarted with the new file when the configuration changes, left alone when it does
 * not, stopped when there is nothing to run, supervised (restarted with back-off) in between. A daemon that
 * does not come up (ends before its ready line, e.g. smcrouted without root, exit 77) fails the change with its
 * last output lines instead of being retried in the background while the document commits.
 */
final class ConfiguredDaemon {
    private static final SupervisedProcess.Backoff BACKOFF = new SupervisedProcess.Backoff(Duration.ofMillis(200),
            Duration.ofSeconds(10), Duration.ofSeconds(30));
    private static final Duration GRACE = Duration.ofSeconds(2);
    /** Alive this long without its ready line counts as started (a slow box, a quieter version). */
    static final Duration STARTUP = Duration.ofSeconds(5);

    private final String name;
    private final ProcessRunner runner;
    private final Path config;
    private final Logger log;
    private final Predicate<String> readyLine;
    private Optional<SupervisedProcess> running = Optional.empty();
    private Optional<StartupWatch> watch = Optional.empty();
    private String runningConfig = "";

    ConfiguredDaemon(String name, ProcessRunner runner, Path config, Predicate<String> readyLine, Logger log) {
        this.name = name;
        this.runner = runner;
        this.config = config;
        this.readyLine = readyLine;
        this.log = log;
    }

    Path config() {
        return config;
    }

    /**
     * Runs {@code executable args} with {@code text} as its configuration file; empty text stops it. Returns
     * whether anything was started or stopped; fails, leaving nothing running, when the daemon does not come up.
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
        StartupWatch watch = new StartupWatch(new DebugOutput(name, log), readyLine);
        SupervisedProcess process = new SupervisedProcess("isthmus-" + name, runner,
                ProcessRunner.resolve(executable), args, BACKOFF, watch, log);
        process.start();
        try {
            watch.result().get(STARTUP.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillStarting) {
            log.warn("{}: no ready line within {} ms; running", name, STARTUP.toMillis());
        } catch (ExecutionException e) {
            process.stop(GRACE);
            throw new KernelException(name + ": " + executable + " did not start: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            process.stop(GRACE);
            Thread.currentThread().interrupt();
            throw new KernelException(name + ": interrupted while starting " + executable, e);
        }
        running = Optional.of(process);
        this.watch = Optional.of(watch);
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
        watch = Optional.empty();
        runningConfig = "";
    }

    /** Wanted (there is a configuration), running (its child is alive now), restarts, and the problem when not. */
    synchronized io.isthmus.api.linux.HelperStatus status(String label) {
        if (running.isEmpty()) {
            return new io.isthmus.api.linux.HelperStatus(label, false, false, 0, Optional.empty());
        }
        boolean alive = running.get().process().isPresent();
        int restarts = watch.map(StartupWatch::ends).orElse(0);
        return new io.isthmus.api.linux.HelperStatus(label, true, alive, restarts, alive ? Optional.empty()
                : Optional.of(name + " is not running (restarting with back-off): "
                        + watch.map(StartupWatch::lastLines).orElse("")));
    }

    private void write(String text) throws KernelException {
        write(config, text, name);
    }

    /** Atomically (a sibling temporary file, then a rename). */
    static void write(Path config, String text, String name) throws KernelException {
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
