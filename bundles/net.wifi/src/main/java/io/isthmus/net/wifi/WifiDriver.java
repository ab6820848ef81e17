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
import io.isthmus.api.net.PortStatusListener;
import io.isthmus.api.runtime.DataFile;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
 * association and the addresses, and the next version adopts them. This class holds the association state per
 * port; {@link SupplicantControl} talks to wpa_supplicant, {@link WifiAddressing} hands over the IPv4,
 * {@link WifiStatus} publishes the ports' status, {@link WifiScan} answers {@code diag.wifi.scan}.
 */
@Component(immediate = true, service = {PortDriver.class, SectionApplier.class, CommandHandler.class},
        configurationPid = WifiConfig.PID,
        property = {"port.kind=wifi", SectionApplier.NAME + "=wifi", SectionApplier.AFTER + "=ethernet",
            SectionApplier.BEFORE + "=uplink", SectionApplier.BEFORE + "=routing",
            CommandHandler.COMMAND + "=" + WifiDriver.SCAN_COMMAND, CommandHandler.TIMEOUT_MS + ":Long=20000"})
public class WifiDriver implements PortDriver, SectionApplier, CommandHandler {
    static final String SCAN_COMMAND = "diag.wifi.scan";
    static final Duration POLL = Duration.ofSeconds(1);

    private final Kernel kernel;
    private final WpaSupplicants supplicants;
    private final Logger log;
    private final DriverOptions options;
    private final SupplicantControl supplicant;
    private final WifiAddressing ipv4;
    private final ReconcileWorker worker;
    /** How long an apply may take on the worker: {@link ApplyTimeout}. */
    private final Duration applyTimeout;
    private final WifiStatus board = new WifiStatus();
    private final Map<String, WifiPort> states = new ConcurrentHashMap<>();
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
        this.supplicant = new SupplicantControl(options, SupplicantControl.salt(DataFile.of(context, "network-salt")),
                log);
        this.worker = new ReconcileWorker("wifi", this::reconcile, POLL, log::warn);
        this.ipv4 = new WifiAddressing(worker, this::republish, log);
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
        ipv4.bind(service);
        worker.execute(() -> {
            states.values().forEach(s -> s.assigned = Optional.empty()); // a new service: assign again
            worker.reconcileQuietly();
        });
    }

    void unbindAddressing(Ipv4Addressing service) {
        ipv4.unbind(service);
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
        board.publish(wanted, links, states);
    }

    private void reconcilePort(WifiPort state, PortConfig port, Optional<Link> link) throws IOException {
        WifiSettings settings = settingsOf(port);
        if (link.isEmpty()) {
            state.problem = Optional.of("interface missing");
            state.status = Optional.empty();
            ipv4.release(state);
            return;
        }
        if (settings.ssid().isEmpty()) {
            state.problem = Optional.of("no network configured (wifi.ssid): the port stays down");
            state.status = Optional.empty();
            ipv4.release(state);
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
                ipv4.release(state);
                return;
            }
        }
        if (state.control.isEmpty() && !supplicant.connect(state, e -> event(state, e), () -> worker.execute(() -> {
            state.closeControl(); // the daemon went away: reconnect on the next pass
            worker.reconcileQuietly();
        }))) {
            ipv4.release(state);
            return;
        }
        WpaControl control = state.control.get();
        supplicant.configure(state, control, settings);
        WpaReplies.Status now = WpaReplies.Status.parse(control.request("STATUS"));
        state.status = Optional.of(now);
        state.signal = now.completed() && !options.wired() ? WpaReplies.Signal.parse(control.request("SIGNAL_POLL"))
                : WpaReplies.Signal.NONE;
        if (now.connected()) {
            state.reconnect.reset();
            state.nextReconnect = Instant.MIN;
            state.lastEvent = Optional.empty();
            announce(state, "connected", now, Optional.empty());
            ipv4.assign(state, port);
            return;
        }
        if (!handshaking(now) || now.eapFailed()) {
            ipv4.release(state);
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

    /** The port left the document: addresses, network and daemon go. */
    private void leave(WifiPort state) {
        ipv4.release(state);
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
                board.publish(wanted, links, states);
            } catch (KernelException e) {
                log.warn("wifi: cannot read links: {}", e.getMessage());
            }
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // diag.wifi.scan
    // ---------------------------------------------------------------------------------------------------------

    @Override
    public CommandReply handle(Map<String, Object> request) {
        return WifiScan.run(request, ports.orElse(Map.of()), states);
    }
}
