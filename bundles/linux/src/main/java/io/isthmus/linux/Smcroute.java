package io.isthmus.linux;

import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.MulticastRoute;
import io.isthmus.api.linux.MulticastRoutes;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * MulticastRoutes through a private smcrouted: its own configuration file, control socket and PID file in this
 * bundle's data area, no multicast interfaces except those the routes use ({@code -N} and {@code phyint …
 * enable}); each route's group is joined on its inbound interface ({@code mgroup}).
 */
@Component(service = MulticastRoutes.class, configurationPid = LinuxConfig.PID)
public class Smcroute implements MulticastRoutes {
    private final ConfiguredDaemon daemon;
    private final Path dir;
    private volatile List<MulticastRoute> current = List.of();

    @Activate
    public Smcroute(LinuxConfig config, BundleContext context,
            @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this(new ProcessRunner(Namespace.of(config.netns()), Duration.ofSeconds(10),
                java.util.Optional.of(ChildRecords.of(context, log))), dataDir(context), log);
    }

    Smcroute(ProcessRunner runner, Path dir, Logger log) {
        this.dir = dir;
        this.daemon = new ConfiguredDaemon("smcroute", runner, dir.resolve("smcroute.conf"), log);
    }

    @Deactivate
    void deactivate() {
        daemon.stop(); // multicast routes live in the daemon's socket: they go with it, and come back on start
    }

    @Override
    public synchronized void set(List<MulticastRoute> routes) throws KernelException {
        String text = configuration(routes);
        daemon.run(text, "smcrouted", List.of("-n", "-N", "-l", "notice", "-f", daemon.config().toString(),
                "-u", dir.resolve("smcroute.sock").toString(), "-P", dir.resolve("smcroute.pid").toString()));
        current = List.copyOf(routes);
    }

    @Override
    public List<MulticastRoute> current() {
        return current;
    }

    /** The smcroute.conf for these routes; empty when there are none. Every name is validated first. */
    static String configuration(List<MulticastRoute> routes) throws KernelException {
        if (routes.isEmpty()) {
            return "";
        }
        Set<String> interfaces = new LinkedHashSet<>();
        StringBuilder body = new StringBuilder();
        for (MulticastRoute r : routes) {
            interfaces.add(Validation.device(r.inbound()));
            if (!r.group().isMulticast() || r.outbound().isEmpty()) {
                throw new KernelException("not a multicast route: " + r);
            }
            body.append("mgroup from ").append(r.inbound()).append(" group ").append(r.group()).append('\n');
            body.append("mroute from ").append(r.inbound()).append(" group ").append(r.group()).append(" to");
            for (String out : r.outbound()) {
                interfaces.add(Validation.device(out));
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
