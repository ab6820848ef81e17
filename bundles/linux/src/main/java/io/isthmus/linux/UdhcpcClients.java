package io.isthmus.linux;

import io.isthmus.api.linux.DhcpClients;
import io.isthmus.api.linux.DhcpLease;
import io.isthmus.api.linux.KernelException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * DhcpClients with one udhcpc per device. The script udhcpc runs only prints the event and its values; it never
 * touches the interface, so the caller decides what gets applied (an offline port never gets a default route).
 */
@Component(service = DhcpClients.class, configurationPid = LinuxConfig.PID)
public class UdhcpcClients implements DhcpClients {
    static final String SCRIPT_NAME = "udhcpc-events.sh";
    /** Prints one line per event; lists (router, dns, ntp) joined with commas so each value stays one word. */
    static final String SCRIPT = """
            #!/bin/sh
            # Written by io.isthmus.linux: reports udhcpc events on stdout, never configures the interface.
            list() { set -f; IFS=' '; set -- $1; IFS=','; printf '%s' "$*"; }
            printf 'ISTHMUS %s ip=%s mask=%s subnet=%s router=%s dns=%s mtu=%s lease=%s ntp=%s\\n' \\
                "$1" "$ip" "$mask" "$subnet" "$(list "$router")" "$(list "$dns")" "$mtu" "$lease" "$(list "$ntpsrv")"
            """;

    private final ProcessRunner runner;
    private final Path dataDir;
    private final Logger log;
    private final Map<String, UdhcpcClient> clients = new HashMap<>();

    @Activate
    public UdhcpcClients(LinuxConfig config, BundleContext context,
            @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this(new ProcessRunner(Namespace.of(config.netns()), IpKernel.TIMEOUT,
                Optional.of(ChildRecords.of(context, log))), dataDir(context), log);
    }

    UdhcpcClients(Namespace namespace, Path dataDir, Logger log) {
        this(new ProcessRunner(namespace, IpKernel.TIMEOUT), dataDir, log);
    }

    private UdhcpcClients(ProcessRunner runner, Path dataDir, Logger log) {
        this.runner = runner;
        this.dataDir = dataDir;
        this.log = log;
    }

    @Deactivate
    void deactivate() {
        List<UdhcpcClient> all;
        synchronized (this) {
            all = new ArrayList<>(clients.values());
            clients.clear();
        }
        all.forEach(UdhcpcClient::stop);
    }

    @Override
    public void start(String device, boolean useRouter, DhcpListener listener) throws KernelException {
        ArgumentChecks.device(device);
        if (listener == null) {
            throw new KernelException("no DHCP listener for " + device);
        }
        UdhcpcClient replaced;
        UdhcpcClient client;
        synchronized (this) {
            UdhcpcClient running = clients.get(device);
            if (running != null && running.useRouter() == useRouter) {
                running.listener(listener);
                return;
            }
            Path script = writeScript();
            client = new UdhcpcClient(device, useRouter, runner, executable(), arguments(device, useRouter, script),
                    listener, log);
            replaced = clients.put(device, client);
        }
        if (replaced != null) {
            replaced.releaseAndStop();
        }
        client.start();
    }

    @Override
    public void stop(String device) {
        UdhcpcClient client;
        synchronized (this) {
            client = clients.remove(device);
        }
        if (client != null) {
            client.releaseAndStop();
        }
    }

    @Override
    public Optional<DhcpLease> lease(String device) {
        UdhcpcClient client;
        synchronized (this) {
            client = clients.get(device);
        }
        return client == null ? Optional.empty() : client.lease();
    }

    /**
     * Foreground (no release on exit: see UdhcpcClient#stop), our script; {@code -o} drops udhcpc's default option list so that only the
     * options named with {@code -O} are requested, the router and the NTP servers (option 42) only for uplinks.
     */
    static List<String> arguments(String device, boolean useRouter, Path script) {
        List<String> args = new ArrayList<>(List.of("-f", "-i", device, "-s", script.toString(), "-T", "2",
                "-A", "5", "-o", "-O", "subnet", "-O", "dns", "-O", "mtu"));
        if (useRouter) {
            args.addAll(List.of("-O", "router", "-O", "ntpsrv"));
        }
        return args;
    }

    /** Debian's udhcpc package installs it as a link to busybox, which picks the applet by that name. */
    private static String executable() throws KernelException {
        return ProcessRunner.find("udhcpc").orElseThrow(() -> new KernelException(
                "udhcpc not found in " + ProcessRunner.SEARCH_PATH + " (install the udhcpc package)"));
    }

    private Path writeScript() throws KernelException {
        try {
            Files.createDirectories(dataDir);
            Path script = dataDir.resolve(SCRIPT_NAME);
            if (Files.isExecutable(script) && Files.readString(script, StandardCharsets.US_ASCII).equals(SCRIPT)) {
                return script;
            }
            // written aside and moved in: a running udhcpc never executes a half-written script
            Path temp = dataDir.resolve(SCRIPT_NAME + ".new");
            Files.writeString(temp, SCRIPT, StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwx------"));
            return Files.move(temp, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | UnsupportedOperationException e) {
            throw new KernelException("cannot write the udhcpc script in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private static Path dataDir(BundleContext context) {
        File dir = context.getDataFile("udhcpc");
        if (dir == null) {
            throw new IllegalStateException("the framework gives this bundle no data area");
        }
        return dir.toPath();
    }
}
