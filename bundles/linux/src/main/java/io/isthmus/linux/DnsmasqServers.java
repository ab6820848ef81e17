package io.isthmus.linux;

import io.isthmus.api.linux.HelperDaemon;
import io.isthmus.api.linux.HelperStatus;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.LocalServers;
import io.isthmus.api.linux.LocalService;
import io.isthmus.api.linux.ServedLease;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * LocalServers with dnsmasq, one per interface ({@link DnsmasqConfig}), each a {@link ConfiguredDaemon}: run in
 * the foreground as a child of the gateway (it dies with it), restarted when its configuration changes, supervised
 * in between. Configurations live in this bundle's data area; leases in {@code <state dir>/services/} (the
 * launcher's {@value #STATE_DIR}), so a restart of the gateway or an update of any bundle finds them
 * and a renewing client keeps its address. dnsmasq runs as the gateway's own user (root in the lab, isthmus on an
 * installed gateway, where the unit grants CAP_NET_BIND_SERVICE, CAP_NET_RAW and CAP_NET_ADMIN). Immediate: while
 * the services bundle is updated nothing uses this component, and a delayed one would be deactivated, stopping the
 * servers under the clients' feet.
 */
@Component(immediate = true, service = {LocalServers.class, HelperDaemon.class}, configurationPid = LinuxConfig.PID)
public class DnsmasqServers implements LocalServers, HelperDaemon {
    /** The launcher's framework property (ConfigService.STATE_DIR; this bundle does not use the config API). */
    static final String STATE_DIR = "isthmus.state.dir";
    private final ProcessRunner runner;
    private final Path configDir;
    private final Path leaseDir;
    private final Logger log;
    private final String user;
    /** By device; guarded by this. */
    private final Map<String, ConfiguredDaemon> daemons = new TreeMap<>();
    /** Guarded by this. */
    private List<LocalService> served = List.of();

    @Activate
    public DnsmasqServers(LinuxConfig config, BundleContext context,
            @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this(new ProcessRunner(Namespace.of(config.netns()), Duration.ofSeconds(10),
                Optional.of(ChildRecords.of(context, log))), dataDir(context), leaseDir(context), log);
    }

    DnsmasqServers(ProcessRunner runner, Path configDir, Path leaseDir, Logger log) {
        this.runner = runner;
        this.configDir = configDir;
        this.leaseDir = leaseDir;
        this.log = log;
        this.user = System.getProperty("user.name", "root");
    }

    @Deactivate
    synchronized void deactivate() {
        daemons.values().forEach(ConfiguredDaemon::stop);
        daemons.clear();
        served = List.of();
    }

    @Override
    public synchronized void serve(List<LocalService> services) throws KernelException {
        Map<String, String> wanted = new TreeMap<>();
        for (LocalService s : services) {
            wanted.put(s.device(), DnsmasqConfig.render(s, leaseFile(s.device()), user));
        }
        for (var it = daemons.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            if (!wanted.containsKey(e.getKey())) {
                e.getValue().stop();
                it.remove();
            }
        }
        if (!wanted.isEmpty()) {
            try {
                Files.createDirectories(leaseDir);
            } catch (IOException e) {
                throw new KernelException("dnsmasq: cannot create " + leaseDir + ": " + e.getMessage(), e);
            }
        }
        for (var e : wanted.entrySet()) {
            ConfiguredDaemon d = daemons.computeIfAbsent(e.getKey(), dev -> new ConfiguredDaemon("dnsmasq-" + dev,
                    runner, configDir.resolve("dnsmasq-" + dev + ".conf"),
                    line -> line.contains("started, version"), log));
            d.run(e.getValue(), "dnsmasq", List.of("--conf-file=" + d.config()));
        }
        served = List.copyOf(services);
    }

    @Override
    public synchronized List<LocalService> served() {
        return served;
    }

    @Override
    public synchronized List<ServedLease> leases() {
        List<ServedLease> leases = new ArrayList<>();
        for (String device : daemons.keySet()) {
            Path file = leaseFile(device);
            try {
                if (Files.exists(file)) {
                    leases.addAll(DnsmasqLeases.parse(device, Files.readString(file, StandardCharsets.UTF_8)));
                }
            } catch (IOException e) {
                log.warn("dnsmasq: cannot read {}: {}", file, e.getMessage());
            }
        }
        return leases;
    }

    /** One status for all instances: wanted when any is, the first problem found. */
    @Override
    public synchronized HelperStatus status() {
        boolean wanted = false;
        boolean running = true;
        int restarts = 0;
        Optional<String> problem = Optional.empty();
        for (ConfiguredDaemon d : daemons.values()) {
            HelperStatus s = d.status("dnsmasq");
            wanted |= s.wanted();
            running &= !s.wanted() || s.running();
            restarts += s.restarts();
            if (problem.isEmpty()) {
                problem = s.problem();
            }
        }
        return new HelperStatus("dnsmasq", wanted, wanted && running, restarts, problem);
    }

    Path leaseFile(String device) {
        return leaseDir.resolve("dnsmasq-" + device + ".leases");
    }

    private static Path dataDir(BundleContext context) {
        File dir = context.getDataFile("dnsmasq");
        if (dir == null) {
            throw new IllegalStateException("the framework gives this bundle no data area");
        }
        return dir.toPath();
    }

    /** The launcher's state dir, else this bundle's data area (tests without a launcher). */
    private static Path leaseDir(BundleContext context) {
        String state = context.getProperty(STATE_DIR);
        return state != null ? Path.of(state, "services") : dataDir(context).resolve("leases");
    }
}
