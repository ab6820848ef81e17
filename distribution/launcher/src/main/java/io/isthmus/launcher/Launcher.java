package io.isthmus.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/**
 * Boots one device profile: checks the inputs before touching the state dir, syncs the persistent bundle
 * cache with the profile's features, seeds the features' configurations, starts the framework and prints
 * {@code ready:} once the runtime bundle says every bundle is active, every component satisfied and the
 * document applied.
 */
final class Launcher {
    static final long READY_TIMEOUT_S = 120;
    static final long STOP_TIMEOUT_MS = 4500;

    private final PrintStream out;
    private final PrintStream err;
    private final long startMillis;

    private final Optional<Distribution> distribution;
    private final Map<String, String> env;

    Launcher(PrintStream out, PrintStream err) {
        this(out, err, Optional.empty(), System.getenv());
    }

    /** With a given distribution instead of the one bin/isthmus names (tests). */
    Launcher(PrintStream out, PrintStream err, Optional<Distribution> distribution) {
        this(out, err, distribution, System.getenv());
    }

    /** With a given environment: {@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC} (tests). */
    Launcher(PrintStream out, PrintStream err, Optional<Distribution> distribution, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.distribution = distribution;
        this.env = env;
        this.startMillis = processStart();
    }

    /**
     * bin/isthmus passes its own start time (ms) as {@code isthmus.start}, so the ready time includes JVM
     * startup. /proc's process start time is no substitute: its boot-time base has one-second resolution.
     */
    private static long processStart() {
        String fromScript = System.getProperty("isthmus.start");
        if (fromScript != null && fromScript.matches("\\d{13}")) {
            return Long.parseLong(fromScript);
        }
        return java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
    }

    int run(String[] args) {
        if (args.length > 0 && args[0].equals("provision")) {
            return provision(args);
        }
        Options options;
        LaunchPlan plan;
        Distribution dist;
        StateDir state;
        Optional<SystemdNotify> notify;
        try {
            options = Options.parse(args);
            notify = SystemdNotify.fromEnvironment(env, ProcessHandle.current().pid());
            dist = distribution.isPresent() ? distribution.get() : Distribution.locate();
            plan = LaunchPlan.resolve(ProfileFile.read(dist.profile()), dist.features(), dist.repository(),
                    options.shell() ? List.of("shell") : List.of());
            state = StateDir.open(options.state());
            // first boot after provisioning: the provisioned document is the boot file, once
            Path provisioned = Provisioning.pendingDocument(options.state());
            if (options.config().isEmpty() && Files.isRegularFile(provisioned)) {
                options = new Options(Optional.of(provisioned), options.state(), options.shell());
            }
        } catch (LaunchException e) {
            err.println("isthmus: " + e.getMessage());
            return 2;
        }
        try {
            return boot(options, plan, dist, state, notify);
        } finally {
            notify.ifPresent(SystemdNotify::close);
        }
    }

    private int boot(Options options, LaunchPlan plan, Distribution dist, StateDir state,
            Optional<SystemdNotify> notify) {
        Framework framework = null;
        boolean ready = false;
        Optional<LivenessWatchdog> watchdog = Optional.empty();
        try {
            state.prepare();
            framework = new FrameworkFactory().newFramework(frameworkProperties(options, plan, dist, state));
            framework.init();
            BundleIndex index = BundleIndex.load(state.bundleIndex());
            ConfigurationSeeder seeder = new ConfigurationSeeder(framework.getBundleContext(), plan.configurations(),
                    index);
            seeder.install();
            ReadyWatcher watcher = new ReadyWatcher(framework.getBundleContext());
            CompletableFuture<Map<String, Object>> readiness = watcher.install();
            DeployRecovery deployed = DeployRecovery.load(state.root(), out);
            deployed.dropUpgraded(plan, index);
            BundleSync sync = new BundleSync(framework.getBundleContext(), index);
            BundleSync.Outcome outcome = sync.sync(plan);
            int restored = deployed.restore(framework.getBundleContext(), plan.highestStartOrder());
            if (restored > 0) {
                sync.refresh();
                out.printf("isthmus: deploy: %d bundles back to their committed jar%n", restored);
            }
            if (outcome.installed() + outcome.updated() + outcome.uninstalled() > 0 && outcome.kept() > 0) {
                out.printf("isthmus: bundles: %d installed, %d updated, %d removed, %d kept%n", outcome.installed(),
                        outcome.updated(), outcome.uninstalled(), outcome.kept());
            }
            Optional<ClassDataArchive> archive = ClassDataArchive.fromSystemProperties(out);
            installStopHook(framework, notify, archive);
            framework.start();
            Map<String, Object> result = awaitReadiness(framework, readiness);
            watcher.remove();
            seeder.verify();
            if (!"ready".equals(result.get("isthmus.state"))) {
                throw new LaunchException(String.valueOf(result.getOrDefault("isthmus.message", "not ready")));
            }
            index.save();
            ready = true;
            // ready, with something to say: a --config file rejected (the gateway runs the generation it kept)
            Object message = result.getOrDefault("isthmus.message", "");
            if (!String.valueOf(message).isEmpty()) {
                err.println("isthmus: " + message);
            }
            String line = String.format("ready: %d bundles active in %d ms", activeBundles(framework),
                    System.currentTimeMillis() - startMillis);
            out.println(line);
            out.flush();
            if (notify.isPresent()) {
                // systemd learns it exactly when the ready: line is printed
                notify.get().send("READY=1\nSTATUS=" + line);
                org.osgi.framework.BundleContext system = framework.getBundleContext();
                watchdog = notify.get().watchdog().map(interval -> {
                    LivenessWatchdog w = new LivenessWatchdog(system, notify.get(), err);
                    w.start(interval);
                    return w;
                });
            }
            markApplied(options);
            // class-data sharing: after ready, never part of its time
            if (archive.isPresent()) {
                archive.get().afterReady(framework.getBundleContext());
            }
            framework.waitForStop(0);
            return 0;
        } catch (LaunchException e) {
            err.println("isthmus: " + e.getMessage());
            return 2;
        } catch (BundleException | IOException e) {
            err.println("isthmus: " + state.root() + ": " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            watchdog.ifPresent(LivenessWatchdog::close);
            if (!ready) {
                stopQuietly(framework);
                state.restore();
            }
        }
    }

    /** The provisioned document was the boot file and has been handled (committed or reported): not again. */
    private void markApplied(Options options) {
        Path provisioned = Provisioning.pendingDocument(options.state());
        if (options.config().equals(Optional.of(provisioned))) {
            try {
                Files.move(provisioned, provisioned.resolveSibling("network.json.applied"),
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                err.println("isthmus: " + provisioned + ": cannot mark applied: " + e.getMessage());
            }
        }
    }

    /** {@code isthmus provision}: check the provisioning set, then install it; one line either way. */
    private int provision(String[] args) {
        try {
            Provisioning.Options o = Provisioning.Options.parse(args);
            Distribution dist = distribution.isPresent() ? distribution.get() : Distribution.locate();
            Provisioning p = new Provisioning(o, dist.defaultDocument());
            out.println("isthmus: " + p.install(p.check()));
            return 0;
        } catch (LaunchException e) {
            err.println("isthmus: provision: " + e.getMessage());
            return 2;
        }
    }

    private Map<String, Object> awaitReadiness(Framework framework, CompletableFuture<Map<String, Object>> readiness)
            throws LaunchException, InterruptedException {
        try {
            return readiness.get(READY_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new LaunchException("not ready after " + READY_TIMEOUT_S + " s: " + notActive(framework));
        } catch (ExecutionException e) {
            throw new LaunchException("readiness failed: " + e.getCause());
        }
    }

    private static String notActive(Framework framework) {
        StringBuilder sb = new StringBuilder("bundles not active:");
        for (Bundle b : framework.getBundleContext().getBundles()) {
            if (b.getState() != Bundle.ACTIVE && b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                sb.append(' ').append(b.getSymbolicName());
            }
        }
        return sb.toString();
    }

    private static long activeBundles(Framework framework) {
        long n = 0;
        for (Bundle b : framework.getBundleContext().getBundles()) {
            if (b.getBundleId() != 0 && b.getState() == Bundle.ACTIVE) {
                n++;
            }
        }
        return n;
    }

    private Map<String, String> frameworkProperties(Options options, LaunchPlan plan, Distribution dist,
            StateDir state) {
        Map<String, String> p = new HashMap<>(plan.frameworkProperties());
        p.put(Constants.FRAMEWORK_STORAGE, state.cache().toString());
        // never a clean start: field updates live in the cache
        p.put(Constants.FRAMEWORK_STORAGE_CLEAN, "none");
        p.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, String.valueOf(plan.highestStartOrder()));
        p.putIfAbsent("felix.log.level", "1");
        // SCR keeps the parsed component descriptions in its data area (written at a clean stop, per bundle id and
        // last-modified time, so an installed, updated or rolled-back bundle is parsed again): a warm start skips
        // parsing ~70 XML descriptors and loading the JDK's XML parser (~50 ms of the start-level thread)
        p.putIfAbsent("ds.cache.metadata", "true");
        p.put("isthmus.home", dist.home().toString());
        p.put("isthmus.profile", plan.profile().id());
        p.put("isthmus.profile.file", dist.profile().toString());
        p.put("isthmus.state.dir", state.root().toString());
        p.put("isthmus.config.default", dist.defaultDocument().toString());
        options.config().ifPresent(c -> p.put("isthmus.config.file", c.toAbsolutePath().normalize().toString()));
        String version = Launcher.class.getPackage().getImplementationVersion();
        p.put("isthmus.version", version == null ? "dev" : version);
        buildTime().ifPresent(t -> p.put(BUILD_TIME, t.toString()));
        return p;
    }

    /** Framework property: when this distribution was built, an ISO instant (a floor for the clock). */
    static final String BUILD_TIME = "isthmus.build.time";

    /**
     * The reproducible build's timestamp ({@code project.build.outputTimestamp}, filtered into build.properties):
     * ISO 8601 or seconds since the epoch, as Maven takes it; empty when unfiltered (an IDE build) or unreadable.
     */
    static Optional<Instant> buildTime() {
        try (InputStream in = Launcher.class.getResourceAsStream("build.properties")) {
            if (in == null) {
                return Optional.empty();
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("buildTime", "").strip();
            return Optional.of(v.chars().allMatch(Character::isDigit) && !v.isEmpty()
                    ? Instant.ofEpochSecond(Long.parseLong(v)) : OffsetDateTime.parse(v).toInstant());
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /**
     * SIGTERM: stop the framework (bundles deactivate, caches flush) and let the JVM exit within 5 s; under
     * systemd say {@code STOPPING=1} first.
     */
    private static void installStopHook(Framework framework, Optional<SystemdNotify> notify,
            Optional<ClassDataArchive> archive) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            notify.ifPresent(n -> {
                try {
                    n.send("STOPPING=1");
                } catch (IOException e) {
                    // systemd is going away too; nothing to tell
                }
            });
            // a recording JVM writes the archive after this hook: its classes linked while their loaders are there
            archive.ifPresent(a -> a.linkLoaded(framework.getBundleContext()));
            stopQuietly(framework);
        }, "isthmus-stop"));
    }

    private static void stopQuietly(Framework framework) {
        if (framework == null) {
            return;
        }
        try {
            framework.stop();
            framework.waitForStop(STOP_TIMEOUT_MS);
        } catch (BundleException e) {
            System.err.println("isthmus: stop failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
