package io.isthmus.linux;

import io.isthmus.api.linux.HelperDaemon;
import io.isthmus.api.linux.HelperStatus;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.TimeKeeper;
import io.isthmus.api.linux.TimeStatus;
import io.isthmus.api.linux.TimeSync;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * TimeKeeper with chronyd ({@link ChronyConfig}), a {@link ConfiguredDaemon} like dnsmasq: a child of the gateway in
 * the foreground ({@code -d}), killed with it, restarted when the sync changes, supervised in between. Its drift
 * file, pid file and command socket live in {@code <state dir>/time/} (mode 0750: chronyd refuses a socket directory
 * others can enter), so chronyc ({@link #timeStatus}) talks to this chronyd, never to a system one. chronyd runs as the
 * gateway's own user ({@code -u}: as root it would otherwise switch to Debian's _chrony, which cannot write there).
 * With the framework property {@value #SET_CLOCK}{@code =false} it runs with {@code -x}: it measures but never
 * touches the system clock (tests and labs, whose machine's clock is not namespaced). Immediate for the same reason
 * as {@link DnsmasqServers}. It is a {@link HelperDaemon} only while a sync is kept (registered then): a gateway that
 * leaves its clock to the system lists no chronyd in {@code status}.
 *
 * <p>When the framework property {@value #SOCKET_PROPERTY} names the command socket of a chronyd started as root by
 * the system (isthmus-chrony.service, which the installed package's /usr/bin/isthmus names: chronyd refuses to start
 * without root), no chronyd is started: that one is reconfigured ({@link SystemChrony}) and asked for the status. It
 * sets the clock whatever {@value #SET_CLOCK} says (the unit decides, not the gateway).
 */
@Component(immediate = true, service = TimeKeeper.class, configurationPid = LinuxConfig.PID)
public class ChronyTimeKeeper implements TimeKeeper, HelperDaemon {
    /** Framework property: {@code false} runs chronyd with -x (never sets the clock). Default true. */
    static final String SET_CLOCK = "isthmus.time.setClock";
    /** Framework property: the command socket of the system's chronyd (isthmus-chrony.service); unset: a child. */
    static final String SOCKET_PROPERTY = "isthmus.chrony.socket";
    private final ProcessRunner runner;
    private final Path stateDir;
    private final boolean setClock;
    private final String user;
    private final Logger log;
    private final ConfiguredDaemon daemon;
    private final Optional<BundleContext> context;
    private final Optional<SystemChrony> system;
    /** Guarded by this: the HelperDaemon registration while a sync is kept. */
    private Optional<ServiceRegistration<HelperDaemon>> helper = Optional.empty();
    /** Guarded by this. */
    private Optional<TimeSync> kept = Optional.empty();

    @Activate
    public ChronyTimeKeeper(LinuxConfig config, BundleContext context,
            @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this(new ProcessRunner(Namespace.of(config.netns()), Duration.ofSeconds(10),
                Optional.of(ChildRecords.of(context, log))), dataDir(context), stateDir(context),
                !"false".equalsIgnoreCase(context.getProperty(SET_CLOCK)), log, Optional.of(context),
                Optional.ofNullable(context.getProperty(SOCKET_PROPERTY)).filter(s -> !s.isBlank()).map(Path::of));
    }

    ChronyTimeKeeper(ProcessRunner runner, Path configDir, Path stateDir, boolean setClock, Logger log,
            Optional<BundleContext> context, Optional<Path> systemSocket) {
        this.runner = runner;
        this.system = systemSocket.map(s -> new SystemChrony(runner, s, log));
        this.context = context;
        this.stateDir = stateDir;
        this.setClock = setClock;
        this.log = log;
        this.user = System.getProperty("user.name", "root");
        this.daemon = new ConfiguredDaemon("chronyd", runner, configDir.resolve("chrony.conf"),
                line -> line.contains("Running with root privileges") || line.contains("Disabled control of system"),
                log);
    }

    @Deactivate
    synchronized void deactivate() {
        daemon.stop(); // none started with a system chronyd: that one keeps the clock while the bundle is away
        kept = Optional.empty();
        unregister();
    }

    @Override
    public synchronized void keep(Optional<TimeSync> sync) throws KernelException {
        if (system.isPresent()) {
            system.get().keep(sync);
            kept = sync;
            if (sync.isEmpty()) {
                unregister();
            } else if (helper.isEmpty()) {
                helper = context.map(c -> c.registerService(HelperDaemon.class, this, null));
            }
            return;
        }
        if (sync.isEmpty()) {
            daemon.run("", "chronyd", List.of());
            kept = Optional.empty();
            unregister();
            return;
        }
        String text = ChronyConfig.render(sync.get(), stateDir.resolve("chrony.drift"), stateDir, setClock);
        try {
            Files.createDirectories(stateDir);
            Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwxr-x---"));
        } catch (IOException e) {
            throw new KernelException("chronyd: cannot create " + stateDir + ": " + e.getMessage(), e);
        }
        daemon.run(text, "chronyd", arguments(daemon.config(), user, setClock));
        kept = sync;
        if (helper.isEmpty()) {
            helper = context.map(c -> c.registerService(HelperDaemon.class, this, null));
        }
    }

    private void unregister() {
        helper.ifPresent(r -> {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping: the framework unregistered it
            }
        });
        helper = Optional.empty();
    }

    /** chronyd's command line: foreground, as {@code user}, with -x unless it may set the clock. */
    static List<String> arguments(Path config, String user, boolean setClock) {
        List<String> args = new ArrayList<>(List.of("-d", "-u", user));
        if (!setClock) {
            args.add("-x");
        }
        args.addAll(List.of("-f", config.toString()));
        return args;
    }

    @Override
    public synchronized Optional<TimeSync> kept() {
        return kept;
    }

    @Override
    public TimeStatus timeStatus() {
        synchronized (this) {
            if (kept.isEmpty()) {
                return TimeStatus.notRunning();
            }
        }
        String socket = system.map(SystemChrony::socket).orElse(ChronyConfig.socket(stateDir)).toString();
        try {
            ProcessResult tracking = runner.exec("chronyc", List.of("-h", socket, "-c", "-n", "tracking"), null);
            if (!tracking.ok()) {
                return TimeStatus.notRunning();
            }
            ProcessResult sources = runner.exec("chronyc", List.of("-h", socket, "-c", "-n", "sources"), null);
            return ChronycOutput.parse(tracking.stdout(), sources.ok() ? sources.stdout() : "");
        } catch (KernelException e) {
            log.debug("chronyc: {}", e.getMessage());
            return TimeStatus.notRunning();
        }
    }

    /** The helper's status for {@code status}: wanted while a sync is kept. */
    @Override
    public HelperStatus status() {
        if (system.isPresent()) {
            synchronized (this) {
                return system.get().status(kept.isPresent());
            }
        }
        return daemon.status("chronyd");
    }

    private static Path dataDir(BundleContext context) {
        File dir = context.getDataFile("chrony");
        if (dir == null) {
            throw new IllegalStateException("the framework gives this bundle no data area");
        }
        return dir.toPath();
    }

    /** The launcher's state dir, else this bundle's data area (tests without a launcher). */
    private static Path stateDir(BundleContext context) {
        String state = context.getProperty(DnsmasqServers.STATE_DIR);
        return state != null ? Path.of(state, "time") : dataDir(context).resolve("state");
    }
}
