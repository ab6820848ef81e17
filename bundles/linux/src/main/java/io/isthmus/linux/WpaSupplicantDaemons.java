package io.isthmus.linux;

import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.WpaSupplicants;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.framework.BundleContext;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * WpaSupplicants: one supervised {@code wpa_supplicant} per device, in the foreground, without a configuration
 * file ({@code -C} gives the control directory), so the WiFi driver sets networks and secrets over the socket.
 * Immediate: a delayed component would be deactivated (its daemons stopped) as soon as the WiFi bundle, its only
 * user, stops for an update.
 */
@Component(immediate = true, service = WpaSupplicants.class, configurationPid = LinuxConfig.PID)
public class WpaSupplicantDaemons implements WpaSupplicants {
    private static final Pattern DRIVER = Pattern.compile("[a-z0-9_]{1,16}(,[a-z0-9_]{1,16}){0,3}");
    private static final Pattern DIRECTORY = Pattern.compile("(/[A-Za-z0-9_.-]+)+");
    /** sun_path holds 108 bytes with the NUL; the socket is {@code <dir>/<device>}. */
    private static final int MAX_SOCKET_PATH = 107;
    private static final SupervisedProcess.Backoff BACKOFF = new SupervisedProcess.Backoff(Duration.ofMillis(500),
            Duration.ofSeconds(30), Duration.ofSeconds(60));
    private static final Duration GRACE = Duration.ofSeconds(2);

    record Daemon(List<String> args, SupervisedProcess process) {
    }

    private final ProcessRunner runner;
    private final Logger log;
    private final Map<String, Daemon> daemons = new HashMap<>();

    @Activate
    public WpaSupplicantDaemons(LinuxConfig config, BundleContext context,
            @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this(new ProcessRunner(Namespace.of(config.netns()), Duration.ofSeconds(10),
                java.util.Optional.of(ChildRecords.of(context, log))), log);
    }

    WpaSupplicantDaemons(ProcessRunner runner, Logger log) {
        this.runner = runner;
        this.log = log;
    }

    @Deactivate
    void deactivate() {
        List<Daemon> all;
        synchronized (this) {
            all = new ArrayList<>(daemons.values());
            daemons.clear();
        }
        all.forEach(d -> d.process().stop(GRACE));
    }

    @Override
    public void run(String device, String driver, String ctrlDir) throws KernelException {
        List<String> args = arguments(device, driver, ctrlDir);
        Daemon replaced;
        synchronized (this) {
            Daemon running = daemons.get(device);
            if (running != null && running.args().equals(args)) {
                return;
            }
            SupervisedProcess process = new SupervisedProcess("isthmus-wpa-" + device, runner,
                    ProcessRunner.resolve("wpa_supplicant"), args, BACKOFF,
                    new DebugOutput("wpa_supplicant " + device, log), log); // no -d: it never prints keys
            replaced = daemons.put(device, new Daemon(args, process));
            if (replaced != null) {
                replaced.process().stop(GRACE); // its control socket must be gone before the new one binds
            }
            process.start();
        }
        log.info("wpa_supplicant {}: started ({} driver, control sockets in {})", device, driver, ctrlDir);
    }

    @Override
    public void stop(String device) {
        Daemon d;
        synchronized (this) {
            d = daemons.remove(device);
        }
        if (d != null) {
            d.process().stop(GRACE);
            log.info("wpa_supplicant {}: stopped", device);
        }
    }

    /** The argv after the executable; every word checked, since it reaches a command line. */
    static List<String> arguments(String device, String driver, String ctrlDir) throws KernelException {
        ArgumentChecks.device(device);
        if (driver == null || !DRIVER.matcher(driver).matches()) {
            throw new KernelException("invalid wpa_supplicant driver: " + driver);
        }
        if (ctrlDir == null || !DIRECTORY.matcher(ctrlDir).matches() || ctrlDir.contains("/../")
                || ctrlDir.endsWith("/..") || ctrlDir.length() + 1 + device.length() > MAX_SOCKET_PATH) {
            throw new KernelException("invalid wpa_supplicant control directory: " + ctrlDir);
        }
        return List.of("-i", device, "-D", driver, "-C", ctrlDir);
    }

}
