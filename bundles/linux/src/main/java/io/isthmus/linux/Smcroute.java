package io.isthmus.linux;

import io.isthmus.api.linux.HelperDaemon;
import io.isthmus.api.linux.HelperStatus;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.MulticastRoute;
import io.isthmus.api.linux.MulticastRoutes;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * MulticastRoutes through smcrouted: no multicast interfaces except those the routes use ({@code -N} and
 * {@code phyint … enable}); each route's group is joined on its inbound interface ({@code mgroup}). Either a
 * private smcrouted run by the gateway (its own configuration file, control socket and PID file in this bundle's
 * data area; needs root: smcrouted refuses to start without it), or, when the property {@value #SOCKET_PROPERTY}
 * names the control socket of an smcrouted started as root by the system (isthmus-smcroute.service), that
 * daemon: the configuration is written next to its socket and loaded with {@code smcroutectl reload}.
 */
@Component(service = {MulticastRoutes.class, HelperDaemon.class}, configurationPid = LinuxConfig.PID)
public class Smcroute implements MulticastRoutes, HelperDaemon {
    static final String SOCKET_PROPERTY = "isthmus.smcroute.socket";
    static final String READY_LINE = "Ready, waiting for client request";
    /**
     * There (in every network namespace) when the kernel routes IPv4 multicast: built without
     * {@code CONFIG_IP_MROUTE}, smcrouted starts all the same, logs "Kernel does not even support IGMP" and a parse
     * error for each route, and forwards nothing.
     */
    static final Path MULTICAST_ROUTING = Path.of("/proc/net/ip_mr_vif");

    private final ConfiguredDaemon daemon;
    private final Path dir;
    private final ProcessRunner runner;
    private final Optional<Path> systemSocket;
    private final Logger log;
    private final Path multicastRouting;
    private Optional<String> loaded = Optional.empty();
    private Optional<String> reloadProblem = Optional.empty();
    private volatile List<MulticastRoute> current = List.of();

    @Activate
    public Smcroute(LinuxConfig config, BundleContext context,
            @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this(new ProcessRunner(Namespace.of(config.netns()), Duration.ofSeconds(10),
                Optional.of(ChildRecords.of(context, log))), dataDir(context),
                Optional.ofNullable(context.getProperty(SOCKET_PROPERTY)).filter(s -> !s.isBlank()).map(Path::of),
                log);
    }

    Smcroute(ProcessRunner runner, Path dir, Optional<Path> systemSocket, Logger log) {
        this(runner, dir, systemSocket, log, MULTICAST_ROUTING);
    }

    /** {@code multicastRouting}: the file whose presence says the kernel routes IPv4 multicast. */
    Smcroute(ProcessRunner runner, Path dir, Optional<Path> systemSocket, Logger log, Path multicastRouting) {
        this.multicastRouting = multicastRouting;
        this.dir = dir;
        this.runner = runner;
        this.systemSocket = systemSocket;
        this.log = log;
        Path conf = systemSocket.map(s -> s.resolveSibling("smcroute.conf")).orElse(dir.resolve("smcroute.conf"));
        this.daemon = new ConfiguredDaemon("smcroute", runner, conf, line -> line.contains(READY_LINE), log);
    }

    @Deactivate
    void deactivate() {
        if (systemSocket.isEmpty()) {
            daemon.stop(); // multicast routes live in the daemon's socket: they go with it, and come back on start
        }
    }

    @Override
    public synchronized void set(List<MulticastRoute> routes) throws KernelException {
        String text = configuration(routes);
        if (!routes.isEmpty() && !Files.exists(multicastRouting)) {
            throw new KernelException("smcroute: this kernel does not route IPv4 multicast (built without "
                    + "CONFIG_IP_MROUTE: no " + multicastRouting + "); the multicast routes " + routes
                    + " cannot be set");
        }
        if (systemSocket.isPresent()) {
            reload(systemSocket.get(), text);
        } else {
            daemon.run(text, "smcrouted", List.of("-n", "-N", "-l", "notice", "-f", daemon.config().toString(),
                    "-u", dir.resolve("smcroute.sock").toString(), "-P", dir.resolve("smcroute.pid").toString()));
        }
        current = List.copyOf(routes);
    }

    /** The system's smcrouted: write the file next to its socket and reload; a daemon that is not there fails. */
    private void reload(Path socket, String text) throws KernelException {
        if (loaded.isPresent() && loaded.get().equals(text)) {
            return;
        }
        ConfiguredDaemon.write(daemon.config(), text, "smcroute");
        ProcessResult r = runner.exec("smcroutectl", List.of("-u", socket.toString(), "reload"), null);
        if (!r.ok()) {
            loaded = Optional.empty();
            String problem = "smcroute: the system's smcrouted does not answer on " + socket
                    + " (is isthmus-smcroute.service running?): " + r.describe();
            reloadProblem = Optional.of(problem);
            throw new KernelException(problem);
        }
        reloadProblem = Optional.empty();
        loaded = Optional.of(text);
        log.info("smcroute: {} loaded into the system's smcrouted ({})", daemon.config(), socket);
    }

    @Override
    public List<MulticastRoute> current() {
        return current;
    }

    @Override
    public synchronized HelperStatus status() {
        if (systemSocket.isEmpty()) {
            return daemon.status("smcrouted");
        }
        boolean wanted = !current.isEmpty();
        boolean answers = Files.exists(systemSocket.get()) && reloadProblem.isEmpty();
        return new HelperStatus("smcrouted (" + systemSocket.get() + ")", wanted, answers, 0,
                wanted ? reloadProblem : Optional.empty());
    }

    /** The smcroute.conf for these routes; empty when there are none. Every name is validated first. */
    static String configuration(List<MulticastRoute> routes) throws KernelException {
        if (routes.isEmpty()) {
            return "";
        }
        Set<String> interfaces = new LinkedHashSet<>();
        StringBuilder body = new StringBuilder();
        for (MulticastRoute r : routes) {
            interfaces.add(ArgumentChecks.device(r.inbound()));
            if (!r.group().isMulticast() || r.outbound().isEmpty()) {
                throw new KernelException("not a multicast route: " + r);
            }
            body.append("mgroup from ").append(r.inbound()).append(" group ").append(r.group()).append('\n');
            body.append("mroute from ").append(r.inbound()).append(" group ").append(r.group()).append(" to");
            for (String out : r.outbound()) {
                interfaces.add(ArgumentChecks.device(out));
                body.append(' ').append(out);
            }
            body.append('\n');
        }
        StringBuilder text = new StringBuilder("# written by Isthmus (io.isthmus.linux); do not edit\n");
        interfaces.forEach(i -> text.append("phyint ").append(i).append(" enable\n"));
        return text.append(body).toString();
    }

    private static Path dataDir(BundleContext context) {
        File dir = context.getDataFile("smcroute");
        if (dir == null) {
            throw new IllegalStateException("the framework gives this bundle no data area");
        }
        return dir.toPath();
    }
}
