package io.isthmus.net.wifi;

import io.isthmus.api.runtime.DataFile;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.osgi.service.log.Logger;

/**
 * Talks to one port's wpa_supplicant: opens the control and monitor sockets, and gives it the network the settings
 * render to ({@link WpaCommands}), fingerprinted so that a restart of this bundle adopts what is running.
 */
final class SupplicantControl {
    private final DriverOptions options;
    private final String salt;
    private final Logger log;

    SupplicantControl(DriverOptions options, String salt, Logger log) {
        this.options = options;
        this.salt = salt;
        this.log = log;
    }

    /** Opens the control and monitor connections; false (with the problem set) when wpa_supplicant is not there. */
    boolean connect(WifiPort state, Consumer<String> onEvent, Runnable onGone) {
        Path socket = Path.of(options.ctrlDir(), state.name);
        Duration timeout = Duration.ofMillis(options.requestTimeoutMs());
        try {
            WpaControl control = WpaControl.open(socket, timeout);
            WpaControl monitor;
            try {
                monitor = WpaControl.open(socket, timeout);
                monitor.attach("isthmus-wifi-events-" + state.name, onEvent, e -> onGone.run());
            } catch (IOException e) {
                control.close();
                throw e;
            }
            state.control = Optional.of(control);
            state.monitor = Optional.of(monitor);
            state.network = Optional.empty();
            log.info("wifi {}: attached to wpa_supplicant at {}", state.name, socket);
            return true;
        } catch (IOException | RuntimeException | LinkageError e) {
            state.problem = Optional.of("wpa_supplicant not reachable at " + socket + ": " + e.getMessage());
            return false;
        }
    }

    /**
     * Gives wpa_supplicant our network unless it already has exactly it (same fingerprint: a restart of this
     * bundle, or nothing changed), replacing whatever else it has.
     */
    void configure(WifiPort state, WpaControl control, WifiSettings settings) throws IOException {
        List<WpaCommands.Field> fields;
        try {
            fields = WpaCommands.network(settings, options.wired());
        } catch (UnsupportedOperationException e) {
            throw new IOException(e.getMessage());
        }
        String fingerprint = WpaCommands.fingerprint(fields, salt + options.supplicantDriver());
        if (state.network.filter(fingerprint::equals).isPresent()) {
            return;
        }
        List<Integer> ids = WpaCommands.networkIds(control.request("LIST_NETWORKS"));
        if (ids.size() == 1 && control.request("GET_NETWORK " + ids.get(0) + " id_str").strip()
                .equals("\"" + fingerprint + "\"")) {
            state.network = Optional.of(fingerprint);
            log.info("wifi {}: adopted the running network ({})", state.name, settings.describe());
            return;
        }
        for (int id : ids) {
            control.ok("REMOVE_NETWORK " + id);
        }
        if (options.wired()) {
            control.ok("AP_SCAN 0"); // the wired driver associates by itself
        }
        if (settings.country().isPresent()) {
            control.ok("SET country " + settings.country().get());
        }
        int id = WpaReplies.integer(control.ok("ADD_NETWORK")).orElseThrow(() -> new IOException("ADD_NETWORK: no id"));
        for (WpaCommands.Field f : fields) {
            control.ok(WpaCommands.set(id, f));
        }
        control.ok(WpaCommands.set(id, new WpaCommands.Field("id_str", "\"" + fingerprint + "\"")));
        control.ok("SELECT_NETWORK " + id);
        state.network = Optional.of(fingerprint);
        state.lastEvent = Optional.empty();
        state.reconnect.reset();
        state.nextReconnect = Instant.now().plus(state.reconnect.next());
        log.info("wifi {}: network set: {}", state.name, settings.describe());
    }

    /** A random per-gateway salt for network fingerprints, kept in the bundle data area. */
    static String salt(DataFile file) {
        List<String> lines = file.lines();
        if (!lines.isEmpty() && lines.get(0).matches("[0-9a-f]{32}")) {
            return lines.get(0);
        }
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        String salt = HexFormat.of().formatHex(bytes);
        try {
            file.replace(salt + "\n");
        } catch (IOException e) {
            // without a data area the salt lives as long as this component: the next one reconfigures once
        }
        return salt;
    }
}
