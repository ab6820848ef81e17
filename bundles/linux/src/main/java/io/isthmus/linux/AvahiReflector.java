package io.isthmus.linux;

import io.isthmus.api.linux.HelperDaemon;
import io.isthmus.api.linux.HelperStatus;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.MdnsReflector;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * MdnsReflector with avahi-daemon's reflector: its own configuration file, no D-Bus ({@code enable-dbus=no}),
 * no publishing of its own, only the given interfaces and service types ({@code reflect-filters}). It runs as
 * root, or as the service user, without chroot or rlimits, so it works inside a network namespace. avahi-daemon
 * keeps its PID file in /run/avahi-daemon whatever the configuration says, and insists that the directory belongs
 * to user avahi: one reflector per file system, so isthmus.service binds a private one there. A reflector that
 * cannot start fails the change (see ConfiguredDaemon).
 */
@Component(service = {MdnsReflector.class, HelperDaemon.class}, configurationPid = LinuxConfig.PID)
public class AvahiReflector implements MdnsReflector, HelperDaemon {
    private static final Pattern SERVICE_TYPE = Pattern.compile("_[A-Za-z0-9-]{1,63}\\._(tcp|udp)");

    private final ConfiguredDaemon daemon;

    @Activate
    public AvahiReflector(LinuxConfig config, BundleContext context,
            @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this(new ProcessRunner(Namespace.of(config.netns()), Duration.ofSeconds(10),
                java.util.Optional.of(ChildRecords.of(context, log))), dataDir(context), log);
    }

    AvahiReflector(ProcessRunner runner, Path dir, Logger log) {
        this.daemon = new ConfiguredDaemon("mdns-reflector", runner, dir.resolve("avahi-daemon.conf"),
                line -> line.contains("Server startup complete"), log);
    }

    @Deactivate
    void deactivate() {
        daemon.stop();
    }

    @Override
    public void reflect(List<String> interfaces, List<String> serviceTypes) throws KernelException {
        daemon.run(configuration(interfaces, serviceTypes), "avahi-daemon", List.of("-f", daemon.config().toString(),
                "--no-drop-root", "--no-rlimits", "--no-chroot", "--no-proc-title"));
    }

    @Override
    public HelperStatus status() {
        return daemon.status("avahi-daemon");
    }

    /** avahi-daemon.conf for the reflector; empty (stop) with fewer than two interfaces or no types. */
    static String configuration(List<String> interfaces, List<String> serviceTypes) throws KernelException {
        if (interfaces.size() < 2 || serviceTypes.isEmpty()) {
            return "";
        }
        for (String i : interfaces) {
            ArgumentChecks.device(i);
        }
        for (String t : serviceTypes) {
            if (!SERVICE_TYPE.matcher(t).matches()) {
                throw new KernelException("invalid mDNS service type: " + t);
            }
        }
        return """
                # written by Isthmus (io.isthmus.linux); do not edit
                [server]
                use-ipv4=yes
                use-ipv6=no
                allow-interfaces=%s
                enable-dbus=no
                ratelimit-interval-usec=1000000
                ratelimit-burst=1000
                [wide-area]
                enable-wide-area=no
                [publish]
                disable-publishing=yes
                [reflector]
                enable-reflector=yes
                reflect-ipv=no
                reflect-filters=%s
                [rlimits]
                """.formatted(String.join(",", interfaces), String.join(",", serviceTypes));
    }

    private static Path dataDir(BundleContext context) {
        File dir = context.getDataFile("avahi");
        if (dir == null) {
            throw new IllegalStateException("the framework gives this bundle no data area");
        }
        return dir.toPath();
    }
}
