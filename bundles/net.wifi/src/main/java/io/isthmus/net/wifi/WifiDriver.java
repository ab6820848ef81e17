package io.isthmus.net.wifi;

import io.isthmus.api.config.ApplyException;
import io.isthmus.api.config.ApplyTimeout;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.config.ReconcileWorker;
import io.isthmus.api.config.SectionApplier;
import io.isthmus.api.linux.Kernel;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Link;
import io.isthmus.api.linux.WpaSupplicants;
import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.api.mgmt.EventPublisher;
import io.isthmus.api.mgmt.EventRelay;
import io.isthmus.api.net.Ipv4Addressing;
import io.isthmus.api.net.PortDriver;
import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortStatus;
import io.isthmus.api.net.PortStatusBoard;
import io.isthmus.api.net.PortStatusListener;
import io.isthmus.api.runtime.DataFile;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The WiFi driver: for every port of kind wifi, a wpa_supplicant (run by the linux bundle, or one already there)
 * configured over its control socket; once associated (and 802.1X-authorized) the port's IPv4 goes through
 * {@link Ipv4Addressing}, the Ethernet code path. Reconciles on every document and event and once a second (which
 * also polls STATUS and the signal); reconnects with back-off; restarts of this bundle keep wpa_supplicant, the
 * association and the addresses, and the next version adopts them.
 */
@Component(immediate = true, service = {PortDriver.class, SectionApplier.class, CommandHandler.class},
        configurationPid = WifiConfig.PID,
        property = {"port.kind=wifi", SectionApplier.NAME + "=wifi", SectionApplier.AFTER + "=ethernet",
            SectionApplier.BEFORE + "=uplink", SectionApplier.BEFORE + "=routing",
            CommandHandler.COMMAND + "=" + WifiDriver.SCAN_COMMAND, CommandHandler.TIMEOUT_MS + ":Long=20000"})
public class WifiDriver implements PortDriver, SectionApplier, CommandHandler {
    static final String SCAN_COMMAND = "diag.wifi.scan";
    static final Duration POLL = Duration.ofSeconds(1);
    static final Duration SCAN_WAIT = Duration.ofSeconds(10);
    /** Keys of details that change all the time: a change in them alone tells no listener. */
    static final List<String> VOLATILE_DETAILS = List.of("signalDbm", "linkSpeedMbps");

    private final Kernel kernel;
    private final WpaSupplicants supplicants;
    private final Logger log;
    private final DriverOptions options;
    private final String salt;
    private final ReconcileWorker worker;
    /** How long an apply may take on the worker: {@link ApplyTimeout}. */
    private final Duration applyTimeout;
    private final PortStatusBoard board = new PortStatusBoard(
            (now, before) -> withoutVolatile(now).equals(withoutVolatile(before)));
    private final Map<String, WifiPort> states = new ConcurrentHashMap<>();
    private volatile Optional<Ipv4Addressing> addressing = Optional.empty();
    private final EventRelay events = new EventRelay();
    private volatile Optional<Map<String, PortConfig>> ports = Optional.empty();

    @Activate
    public WifiDriver(BundleContext context, WifiConfig config, @Reference(name = "kernel") Kernel kernel,
            @Reference(name = "supplicants") WpaSupplicants supplicants,
            @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this.applyTimeout = ApplyTimeout.of(context, log::error);
        this.kernel = kernel;
        this.supplicants = supplicants;
        this.log = log;
        this.options = DriverOptions.of(config, context);
        this.salt = salt(DataFile.of(context, "network-salt"));
        this.worker = new ReconcileWorker("wifi", this::reconcile, POLL, log::warn);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindEvents(EventPublisher publisher) {
        events.bind(publisher);
    }

    void unbindEvents(EventPublisher publisher) {
        events.unbind(publisher);
    }

    @Deactivate
    void deactivate() {
        worker.close();
        // wpa_supplicant, the association and the addresses stay: the next version adopts them
        states.values().forEach(WifiPort::closeControl);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindAddressing(Ipv4Addressing service) {
        addressing = Optional.of(service);
        worker.execute(() -> {
            states.values().forEach(s -> s.assigned = Optional.empty()); // a new service: assign again
            worker.reconcileQuietly();
        });
    }

    void unbindAddressing(Ipv4Addressing service) {
        if (addressing.map(a -> a == service).orElse(false)) {
            addressing = Optional.empty();
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(PortStatusListener listener) {
        board.add(listener);
    }

    void removeListener(PortStatusListener listener) {
        board.remove(listener);
    }

    @Override
    public PortKind kind() {
        return PortKind.WIFI;
    }

    @Override
    public List<PortStatus> status() {
        return board.all();
    }

    @Override
    public void apply(NetworkDocument document) throws ApplyException {
        Map<String, PortConfig> mine = wifiPorts(document);
        worker.apply(() -> ports = Optional.of(Map.copyOf(mine)), applyTimeout);
    }

    @Override
    public List<String> preview(NetworkDocument document) {
        Map<String, PortConfig> mine = wifiPorts(document);
        List<String> lines = new ArrayList<>();
        Map<String, PortConfig> now = ports.orElse(Map.of());
        mine.forEach((name, port) -> {
            if (!port.equals(now.get(name))) {
                lines.add(name + ": join " + settingsOf(port).describe());
            }
        });
        now.keySet().stream().filter(p -> !mine.containsKey(p)).forEach(p -> lines.add(p + ": leave, stop wpa_supplicant"));
        return lines;
    }

    private static Map<String, PortConfig> wifiPorts(NetworkDocument document) {
        Map<String, PortConfig> mine = new LinkedHashMap<>();
        document.ports().forEach((name, port) -> {
            if (port.kind().equals(PortKind.WIFI)) {
                mine.put(name, port);
            }
        });
        return mine;
    }

    /** The document was validated, so this parses; a surprise becomes "no network" rather than a crash. */
    private static WifiSettings settingsOf(PortConfig port) {
        return WifiSettings.parse(port.driver().get(WifiSettings.KEY), "", new ArrayList<>()).orElse(WifiSettings.NONE);
    }

    // ---------------------------------------------------------------------------------------------------------
    // reconcile (worker thread only)
    // ---------------------------------------------------------------------------------------------------------

    private void reconcile() throws KernelException {
        if (ports.isEmpty()) {
            return;
        }
        Map<String, PortConfig> wanted = ports.get();
        Map<String, Link> links = new LinkedHashMap<>();
        for (Link l : kernel.links()) {
            links.put(l.name(), l);
        }
        for (String gone : new ArrayList<>(states.keySet())) {
            if (!wanted.containsKey(gone)) {
                leave(states.remove(gone));
            }
        }
        wanted.forEach((name, port) -> {
            WifiPort state = states.computeIfAbsent(name, n -> new WifiPort(n,
                    Duration.ofMillis(options.reconnectMinMs()), Duration.ofMillis(options.reconnectMaxMs())));
            state.problem = Optional.empty();
            try {
                reconcilePort(state, port, Optional.ofNullable(links.get(name)));
            } catch (IOException e) {
                state.problem = Optional.of("wpa_supplicant control: " + e.getMessage());
                state.closeControl();
                state.status = Optional.empty();
            }
        });
        publish(wanted, links);
    }

    private void reconcilePort(WifiPort state, PortConfig port, Optional<Link> link) throws IOException {
        WifiSettings settings = settingsOf(port);
        if (link.isEmpty()) {
            state.problem = Optional.of("interface missing");
            state.status = Optional.empty();
            release(state);
            return;
        }
        if (settings.ssid().isEmpty()) {
            state.problem = Optional.of("no network configured (wifi.ssid): the port stays down");
            state.status = Optional.empty();
            release(state);
            state.closeControl();
            if (options.startSupplicant()) {
                supplicants.stop(state.name);
            }
            return;
        }
        if (options.startSupplicant()) {
            try {
                supplicants.run(state.name, options.supplicantDriver(), options.ctrlDir());
            } catch (KernelException e) {
                state.problem = Optional.of("cannot run wpa_supplicant: " + e.getMessage());
                release(state);
                return;
            }
        }
        if (state.control.isEmpty() && !connect(state)) {
            release(state);
            return;
        }
        WpaControl control = state.control.get();
        configure(state, control, settings);
        WpaReplies.Status now = WpaReplies.Status.parse(control.request("STATUS"));
        state.status = Optional.of(now);
        state.signal = now.completed() && !options.wired() ? WpaReplies.Signal.parse(control.request("SIGNAL_POLL"))
                : WpaReplies.Signal.NONE;
        if (now.connected()) {
            state.reconnect.reset();
            state.nextReconnect = Instant.MIN;
            state.lastEvent = Optional.empty();
            announce(state, "connected", now, Optional.empty());
            assign(state, port);
            return;
        }
        if (!handshaking(now) || now.eapFailed()) {
            release(state);
        }
        state.problem = Optional.of(problemOf(now, state.lastEvent, settings));
        if (now.eapFailed()) {
            announce(state, "auth-failed", now, state.problem);
        } else if (state.announced.filter("connected"::equals).isPresent() && !handshaking(now)) {
            announce(state, "disconnected", now, state.lastEvent);
        }
        if (("DISCONNECTED".equals(now.wpaState()) || "INACTIVE".equals(now.wpaState()))
                && !Instant.now().isBefore(state.nextReconnect)) {
            Duration wait = state.reconnect.next();
            state.nextReconnect = Instant.now().plus(wait);
            log.info("wifi {}: {}, reconnecting (next try in {} ms at the earliest)", state.name, now.wpaState(),
                    wait.toMillis());
            control.request("REASSOCIATE");
        }
    }

    /** Opens the control and monitor connections; false (with the problem set) when wpa_supplicant is not there. */
    private boolean connect(WifiPort state) {
        Path socket = Path.of(options.ctrlDir(), state.name);
        Duration timeout = Duration.ofMillis(options.requestTimeoutMs());
        try {
            WpaControl control = WpaControl.open(socket, timeout);
            WpaControl monitor;
            try {
                monitor = WpaControl.open(socket, timeout);
                monitor.attach("isthmus-wifi-events-" + state.name, e -> event(state, e),
                        e -> worker.execute(() -> {
                            state.closeControl(); // the daemon went away: reconnect on the next pass
                            worker.reconcileQuietly();
                        }));
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
    private void configure(WifiPort state, WpaControl control, WifiSettings settings) throws IOException {
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

    /**
     * Publishes {@code evt/wifi} when the port's connection changes (connected, disconnected, 802.1X failed);
     * a port that never connected announces no disconnection. No secret is in there.
     */
    private void announce(WifiPort state, String event, WpaReplies.Status now, Optional<String> reason) {
        if (state.announced.filter(event::equals).isPresent()) {
            return;
        }
        state.announced = Optional.of(event);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("port", state.name);
        body.put("event", event);
        now.ssid().ifPresent(v -> body.put("ssid", v));
        now.bssid().ifPresent(v -> body.put("bssid", v));
        reason.ifPresent(v -> body.put("reason", v));
        events.publish("wifi", body, event.equals("connected") ? EventPublisher.Priority.LOW
                : EventPublisher.Priority.HIGH);
    }

    /** States an established link passes through while it re-keys or re-authenticates: keep its addresses. */
    private static boolean handshaking(WpaReplies.Status s) {
        return switch (s.wpaState()) {
            case "ASSOCIATED", "4WAY_HANDSHAKE", "GROUP_HANDSHAKE", "COMPLETED" -> true;
            default -> false;
        };
    }

    static String problemOf(WpaReplies.Status s, Optional<String> lastEvent, WifiSettings settings) {
        if (s.eapFailed()) {
            return "802.1X authentication failed" + s.eapMethod().map(m -> " (EAP-" + m + ")").orElse("")
                    + ": check eap.identity, eap.password and the certificates";
        }
        String base = switch (s.wpaState()) {
            case "COMPLETED" -> "associated, waiting for 802.1X authorization";
            case "ASSOCIATED" -> s.keyManagement().filter(k -> k.contains("802.1X")).isPresent()
                    ? "associated, 802.1X authentication in progress" : "associated, waiting for the handshake";
            case "4WAY_HANDSHAKE", "GROUP_HANDSHAKE" -> "key handshake in progress";
            case "SCANNING" -> "scanning for " + settings.ssid().map(WifiSettings::quote).orElse("the network");
            case "AUTHENTICATING", "ASSOCIATING" -> "joining " + settings.ssid().map(WifiSettings::quote).orElse("");
            case "INTERFACE_DISABLED" -> "interface disabled";
            default -> "not associated (" + s.wpaState() + ")";
        };
        return lastEvent.map(e -> base + "; last attempt: " + e).orElse(base);
    }

    private void assign(WifiPort state, PortConfig port) {
        if (state.assigned.filter(port::equals).isPresent()) {
            return;
        }
        Optional<Ipv4Addressing> a = addressing;
        if (a.isEmpty()) {
            state.problem = Optional.of("associated, but no IPv4 addressing service (the Ethernet bundle) is running");
            return;
        }
        try {
            a.get().assign(state.name, port, s -> {
                state.addressing = Optional.of(s);
                worker.execute(this::republish);
            });
            state.assigned = Optional.of(port);
            state.assignmentUnknown = false;
            log.info("wifi {}: connected; IPv4 {}", state.name, port.ipv4());
        } catch (ApplyException e) {
            state.problem = Optional.of("IPv4: " + e.getMessage());
        }
    }

    private void release(WifiPort state) {
        if (state.assigned.isEmpty() && !state.assignmentUnknown) {
            return;
        }
        Optional<Ipv4Addressing> a = addressing;
        if (a.isEmpty()) {
            return;
        }
        try {
            a.get().release(state.name);
            if (state.assigned.isPresent()) {
                log.info("wifi {}: not connected; IPv4 released", state.name);
            }
            state.assigned = Optional.empty();
            state.assignmentUnknown = false;
            state.addressing = Optional.empty();
        } catch (ApplyException e) {
            log.warn("wifi {}: cannot release IPv4: {}", state.name, e.getMessage());
        }
    }

    /** The port left the document: addresses, network and daemon go. */
    private void leave(WifiPort state) {
        release(state);
        state.control.ifPresent(c -> {
            try {
                c.request("REMOVE_NETWORK all");
            } catch (IOException ignored) {
                // the daemon stops next anyway
            }
        });
        state.closeControl();
        if (options.startSupplicant()) {
            supplicants.stop(state.name);
        }
        log.info("wifi {}: left the document", state.name);
    }

    /** Monitor thread: remember why an attempt failed, wake the worker. Event texts are not logged (identities). */
    private void event(WifiPort state, String message) {
        WpaReplies.event(message).ifPresent(e -> {
            switch (e.name()) {
                case "CTRL-EVENT-EAP-FAILURE", "CTRL-EVENT-EAP-FAILURE2" -> state.lastEvent =
                        Optional.of("802.1X authentication failed");
                case "CTRL-EVENT-SSID-TEMP-DISABLED" -> state.lastEvent = Optional.of("network temporarily disabled ("
                        + e.reason().map(r -> r.equals("WRONG_KEY") ? "wrong key: check psk" : r).orElse("?") + ")");
                case "CTRL-EVENT-NETWORK-NOT-FOUND" -> state.lastEvent = Optional.of("network not found in the scan");
                case "CTRL-EVENT-ASSOC-REJECT" -> state.lastEvent = Optional.of("association rejected");
                case "CTRL-EVENT-SCAN-RESULTS" -> state.scanDone.countDown();
                default -> {
                }
            }
            if (e.name().startsWith("CTRL-EVENT-") && !e.name().equals("CTRL-EVENT-SCAN-RESULTS")) {
                log.debug("wifi {}: {}{}", state.name, e.name(), e.reason().map(r -> " reason=" + r).orElse(""));
                worker.request();
            }
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // status
    // ---------------------------------------------------------------------------------------------------------

    private void republish() {
        ports.ifPresent(wanted -> {
            try {
                Map<String, Link> links = new LinkedHashMap<>();
                for (Link l : kernel.links()) {
                    links.put(l.name(), l);
                }
                publish(wanted, links);
            } catch (KernelException e) {
                log.warn("wifi: cannot read links: {}", e.getMessage());
            }
        });
    }

    private void publish(Map<String, PortConfig> wanted, Map<String, Link> links) {
        Map<String, PortStatus> next = new LinkedHashMap<>();
        wanted.forEach((name, port) -> {
            WifiPort state = states.get(name);
            if (state != null) {
                next.put(name, statusOf(state, port, Optional.ofNullable(links.get(name))));
            }
        });
        board.publish(next);
    }

    private static PortStatus withoutVolatile(PortStatus s) {
        Map<String, Object> d = new LinkedHashMap<>(s.details());
        VOLATILE_DETAILS.forEach(d::remove);
        return s.with(d, s.problem());
    }

    private PortStatus statusOf(WifiPort state, PortConfig port, Optional<Link> link) {
        Map<String, Object> details = details(state);
        Optional<PortStatus> assigned = state.assigned.isPresent() ? state.addressing : Optional.empty();
        if (assigned.isPresent()) {
            return assigned.get().with(details, state.problem);
        }
        PortStatus own = new PortStatus(state.name, PortKind.WIFI, port.role(), port.cost(), link.isPresent(),
                link.map(Link::carrier).orElse(false), List.of(), Optional.empty(), List.of(),
                link.map(Link::mtu), link.map(Link::mac), link.map(Link::rxBytes).orElse(0L),
                link.map(Link::txBytes).orElse(0L), Optional.empty());
        return own.with(details, state.problem);
    }

    /** The wifi object of status: state, network, signal; never a secret. */
    static Map<String, Object> details(WifiPort state) {
        Map<String, Object> d = new LinkedHashMap<>();
        state.status.ifPresentOrElse(s -> {
            d.put("state", s.wpaState());
            s.ssid().ifPresent(v -> d.put("ssid", v));
            s.bssid().ifPresent(v -> d.put("bssid", v));
            Optional<Integer> freq = s.frequencyMhz().or(state.signal::frequencyMhz);
            freq.ifPresent(v -> d.put("frequencyMhz", v));
            freq.flatMap(WifiSettings.Band::ofFrequency).ifPresent(v -> d.put("band", v));
            state.signal.rssiDbm().ifPresent(v -> d.put("signalDbm", v));
            state.signal.linkSpeedMbps().ifPresent(v -> d.put("linkSpeedMbps", v));
            s.keyManagement().ifPresent(v -> d.put("keyManagement", v));
            s.eapState().ifPresent(v -> d.put("eapState", v));
            s.eapMethod().ifPresent(v -> d.put("eapMethod", v));
            s.portStatus().ifPresent(v -> d.put("authorized", "Authorized".equals(v)));
        }, () -> d.put("state", state.control.isPresent() ? "UNKNOWN" : "NO_SUPPLICANT"));
        state.lastEvent.ifPresent(e -> d.put("lastFailure", e));
        return d;
    }

    // ---------------------------------------------------------------------------------------------------------
    // diag.wifi.scan
    // ---------------------------------------------------------------------------------------------------------

    @Override
    public CommandReply handle(Map<String, Object> request) {
        Map<String, PortConfig> wanted = ports.orElse(Map.of());
        Object asked = request.get("port");
        if (asked != null && !(asked instanceof String)) {
            return CommandReply.error(400, "bad-request", "port must be a string", Optional.of("/port"));
        }
        Optional<String> port = asked instanceof String p ? Optional.of(p)
                : wanted.size() == 1 ? wanted.keySet().stream().findFirst() : Optional.empty();
        if (port.isEmpty()) {
            return CommandReply.error(400, "bad-request", "name the WiFi port: one of " + wanted.keySet(),
                    Optional.of("/port"));
        }
        WifiPort state = states.get(port.get());
        if (!wanted.containsKey(port.get()) || state == null) {
            return CommandReply.error(404, "not-found", port.get() + " is not a WiFi port of the document",
                    Optional.of("/port"));
        }
        Optional<WpaControl> control = state.control;
        if (control.isEmpty()) {
            return CommandReply.error(503, "unavailable", port.get() + ": "
                    + state.problem.orElse("wpa_supplicant not attached"), Optional.empty());
        }
        try {
            CountDownLatch done = new CountDownLatch(1);
            state.scanDone = done;
            String reply = control.get().request("SCAN");
            boolean fresh = reply.startsWith("OK") && done.await(SCAN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            List<Map<String, Object>> results = new ArrayList<>();
            WpaReplies.scanResults(control.get().request("SCAN_RESULTS")).forEach(r -> results.add(r.toMap()));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("port", port.get());
            body.put("fresh", fresh);
            body.put("results", results);
            return CommandReply.ok(body);
        } catch (IOException e) {
            return CommandReply.error(503, "unavailable", port.get() + ": " + e.getMessage(), Optional.empty());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CommandReply.error(503, "unavailable", "interrupted", Optional.empty());
        }
    }

    /** A random per-gateway salt for network fingerprints, kept in the bundle data area. */
    private static String salt(DataFile file) {
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
