package io.isthmus.net.cellular;

import io.isthmus.api.config.ApplyException;
import io.isthmus.api.config.ApplyTimeout;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.config.ReconcileWorker;
import io.isthmus.api.config.SectionApplier;
import io.isthmus.api.linux.Kernel;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Link;
import io.isthmus.api.mgmt.EventPublisher;
import io.isthmus.api.mgmt.EventRelay;
import io.isthmus.api.net.Ipv4Addressing;
import io.isthmus.api.net.PortDriver;
import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortStatus;
import io.isthmus.api.net.PortStatusBoard;
import io.isthmus.api.net.PortStatusListener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
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
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The cellular driver: for every port of kind cellular, ModemManager (over D-Bus) unlocks the SIM, enables the
 * modem and connects a bearer with the document's APN; the bearer's address, gateway, DNS and MTU go onto the
 * port through {@link Ipv4Addressing} (the same IPv4 code as Ethernet ports). Lost registration or bearer:
 * reconnect with backoff and, only after repeated failures, a rate-limited modem reset (see RecoveryPolicy).
 * <p>
 * Works without ModemManager: the ports then report why in their status and the driver keeps trying to reach
 * it. Stopping or updating this bundle disconnects nothing: the bearer and the port's addresses stay, and the next
 * version adopts the connected bearer.
 */
@Component(immediate = true, configurationPid = CellularDriver.PID,
        service = {PortDriver.class, SectionApplier.class},
        property = {"port.kind=cellular", SectionApplier.NAME + "=cellular", SectionApplier.AFTER + "=ethernet",
            SectionApplier.BEFORE + "=uplink", SectionApplier.BEFORE + "=routing"})
@Designate(ocd = CellularDriver.Config.class)
public class CellularDriver implements PortDriver, SectionApplier {
    static final String PID = "io.isthmus.net.cellular";
    /** Framework or system property that overrides {@link Config#busAddress()} (the lab's private bus). */
    static final String BUS_PROPERTY = "isthmus.cellular.bus";
    static final Duration BUS_RETRY = Duration.ofSeconds(5);
    static final Duration IDLE_POLL = Duration.ofSeconds(60);

    @ObjectClassDefinition(id = PID, name = "Isthmus cellular driver",
            description = "How the cellular driver reaches ModemManager")
    public @interface Config {
        @AttributeDefinition(description = "D-Bus address of ModemManager's bus, e.g. unix:path=/run/dbus/x; "
                + "'system' is the system bus. The framework property isthmus.cellular.bus overrides it.")
        String busAddress() default DbusModemManager.SYSTEM;

        @AttributeDefinition(description = "How often ModemManager is read besides its change signals, in ms")
        long pollMs() default 1000;
    }

    private final Kernel kernel;
    private final Logger log;
    private final String busAddress;
    private final ReconcileWorker worker;
    /** How long an apply may take on the worker: {@link ApplyTimeout}. */
    private final Duration applyTimeout;
    private final ScheduledExecutorService timer;
    private final PortStatusBoard board = new PortStatusBoard();
    private final Map<String, PortStatus> ipv4Status = new ConcurrentHashMap<>();
    /** evt/cellular: what the modem said while booting reaches the agent once it is there. */
    private final EventRelay events = new EventRelay();
    private volatile Ipv4Addressing addressing;

    // the worker's own
    private final Map<String, CellularPort> ports = new LinkedHashMap<>();
    private Optional<DbusModemManager> bus = Optional.empty();
    private Instant nextBusAttempt = Instant.EPOCH;
    private String busProblem = "";
    private Instant wakeUpAt = Instant.MAX;

    @Activate
    public CellularDriver(BundleContext context, Config config, @Reference(name = "kernel") Kernel kernel,
            @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this.applyTimeout = ApplyTimeout.of(context, log::error);
        this.kernel = kernel;
        this.log = log;
        this.busAddress = Optional.ofNullable(context.getProperty(BUS_PROPERTY)).filter(s -> !s.isBlank())
                .orElse(config.busAddress());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "isthmus-cellular-timer");
            t.setDaemon(true);
            return t;
        });
        Duration poll = Duration.ofMillis(Math.max(50, config.pollMs()));
        // no cellular port: nothing to poll (the worker's own thread asks, after each pass)
        this.worker = new ReconcileWorker("cellular", this::reconcile, () -> ports.isEmpty() ? IDLE_POLL : poll,
                log::warn);
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
        timer.shutdownNow();
        worker.close();
        // the bearer and the port's addresses stay: the next version adopts them
        bus.ifPresent(DbusModemManager::close);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setAddressing(Ipv4Addressing a) {
        addressing = a;
        worker.execute(() -> {
            ports.values().forEach(CellularPort::reassign);
            worker.reconcileQuietly();
        });
    }

    void unsetAddressing(Ipv4Addressing a) {
        if (addressing == a) {
            addressing = null;
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
        return PortKind.CELLULAR;
    }

    @Override
    public List<PortStatus> status() {
        return board.all();
    }

    @Override
    public void apply(NetworkDocument document) throws ApplyException {
        Map<String, PortConfig> mine = cellularPorts(document);
        // the modem dialogue (PIN, registration, bearer) takes seconds to minutes: status reports it; an apply
        // only hands over the wanted ports and never waits for ModemManager
        worker.call(() -> {
            adopt(mine);
            return null;
        }, applyTimeout);
        worker.request();
    }

    @Override
    public List<String> preview(NetworkDocument document) throws ApplyException {
        Map<String, PortConfig> mine = cellularPorts(document);
        return worker.call(() -> {
            List<String> lines = new ArrayList<>();
            ports.keySet().stream().filter(p -> !mine.containsKey(p)).forEach(p -> lines.add(p
                    + ": disconnect the bearer and remove its addresses"));
            mine.forEach((name, cfg) -> {
                CellularPort now = ports.get(name);
                CellularSettings wanted = CellularPort.settingsOf(cfg);
                if (now == null || !now.settings.equals(wanted)) {
                    lines.add(name + ": connect a bearer with APN " + wanted.apn());
                } else if (!now.port.equals(cfg)) {
                    lines.add(name + ": keep the bearer; new port settings");
                }
            });
            return lines;
        }, applyTimeout);
    }

    private static Map<String, PortConfig> cellularPorts(NetworkDocument document) {
        Map<String, PortConfig> mine = new LinkedHashMap<>();
        document.ports().forEach((name, port) -> {
            if (port.kind().equals(PortKind.CELLULAR)) {
                mine.put(name, port);
            }
        });
        return mine;
    }

    /** On the worker: the document's cellular ports replace the current ones. */
    private void adopt(Map<String, PortConfig> wanted) {
        for (String name : new ArrayList<>(ports.keySet())) {
            if (!wanted.containsKey(name)) {
                log.info("cellular " + name + ": no longer in the document");
                ports.remove(name).stop(bus.map(ModemManager.class::cast));
                ipv4Status.remove(name);
            }
        }
        wanted.forEach((name, cfg) -> {
            CellularPort previous = ports.get(name);
            if (previous == null || !previous.port.equals(cfg)) {
                CellularPort next = new CellularPort(name, cfg, effects, ThreadLocalRandom.current()::nextDouble);
                ports.put(name, previous == null ? next : next.takeOver(previous));
            }
        });
    }

    private final CellularPort.Effects effects = new CellularPort.Effects() {
        @Override
        public void assign(String port, PortConfig config) throws Exception {
            Ipv4Addressing a = addressing;
            if (a == null) {
                throw new ApplyException("the IPv4 layer (io.isthmus.net.ethernet) is not running");
            }
            a.assign(port, config, s -> {
                ipv4Status.put(port, s);
                worker.execute(CellularDriver.this::publish);
            });
        }

        @Override
        public void release(String port) throws Exception {
            ipv4Status.remove(port);
            Ipv4Addressing a = addressing;
            if (a != null) {
                a.release(port);
            }
        }

        @Override
        public void event(Map<String, Object> body) {
            events.publish("cellular", body, EventPublisher.Priority.HIGH);
        }

        @Override
        public void info(String message) {
            log.info(message);
        }

        @Override
        public void warn(String message) {
            log.warn(message);
        }
    };

    /** The reconcile pass, on the worker only. */
    private void reconcile() {
        if (ports.isEmpty()) {
            publish();
            return;
        }
        Instant now = Instant.now();
        Optional<String> unreachable = connectBus(now);
        List<ModemView> modems = List.of();
        if (unreachable.isEmpty()) {
            try {
                modems = bus.get().modems();
            } catch (ModemError e) {
                unreachable = Optional.of(ModemError.shortName(e.name()).equals("ServiceUnknown")
                        ? "ModemManager is not running (" + DbusModemManager.SERVICE + " not on the bus)"
                        : "ModemManager does not answer: " + e.getMessage());
            }
        }
        if (unreachable.isPresent()) {
            String why = unreachable.get();
            ports.values().forEach(p -> p.unreachable(why));
        } else {
            List<String> taken = new ArrayList<>();
            for (CellularPort p : ports.values()) {
                Optional<ModemView> m = p.choose(modems, taken);
                m.ifPresent(x -> taken.add(x.path()));
                p.step(now, m, bus.get());
            }
            wakeUpForNextAttempt(now);
        }
        publish();
    }

    /** The bus connection, made again when it went away; empty when fine, else why not. */
    private Optional<String> connectBus(Instant now) {
        if (bus.isPresent() && bus.get().isConnected()) {
            return Optional.empty();
        }
        bus.ifPresent(DbusModemManager::close);
        bus = Optional.empty();
        if (now.isBefore(nextBusAttempt)) {
            return Optional.of(busProblem);
        }
        try {
            bus = Optional.of(DbusModemManager.connect(busAddress, worker::request));
            log.info("cellular: connected to D-Bus (" + busAddress + ")");
            busProblem = "";
            return Optional.empty();
        } catch (Exception e) {
            nextBusAttempt = now.plus(BUS_RETRY);
            String problem = "ModemManager not reachable: no D-Bus at " + (DbusModemManager.SYSTEM.equals(busAddress)
                    ? "the system bus (/run/dbus/system_bus_socket)" : busAddress) + " (" + reason(e) + ")";
            if (!problem.equals(busProblem)) {
                log.warn("cellular: " + problem + "; trying again every " + BUS_RETRY.toSeconds() + " s");
            }
            busProblem = problem;
            return Optional.of(problem);
        }
    }

    /** The innermost message of the cause chain: dbus-java wraps the one that says what went wrong. */
    static String reason(Throwable e) {
        String reason = e.getClass().getSimpleName();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank() && !t.getMessage().endsWith(": null")) {
                reason = t.getMessage();
            }
        }
        return reason;
    }

    /** Backoff deadlines need not wait for the next poll. */
    private void wakeUpForNextAttempt(Instant now) {
        ports.values().stream().filter(p -> !p.connected()).map(CellularPort::nextAttempt)
                .filter(t -> t.isAfter(now)).min(Instant::compareTo).ifPresent(t -> {
                    if (t.isBefore(wakeUpAt) || !wakeUpAt.isAfter(now)) {
                        wakeUpAt = t;
                        try {
                            timer.schedule(worker::request, Duration.between(now, t).toMillis() + 1,
                                    TimeUnit.MILLISECONDS);
                        } catch (java.util.concurrent.RejectedExecutionException stopping) {
                            // deactivated
                        }
                    }
                });
    }

    /** On the worker: every port's status (the IPv4 layer's, or the kernel's link) with our details. */
    private void publish() {
        Instant now = Instant.now();
        Map<String, Link> links = new HashMap<>();
        try {
            if (!ports.isEmpty()) { // no cellular port: nothing to read, so no process every poll
                kernel.links().forEach(l -> links.put(l.name(), l));
            }
        } catch (KernelException e) {
            // counters unknown this time
        }
        Map<String, PortStatus> next = new LinkedHashMap<>();
        ports.forEach((name, p) -> {
            PortStatus base = Optional.ofNullable(ipv4Status.get(name)).orElseGet(() -> linkOnly(name, p.port,
                    links.get(name)));
            Optional<String> problem = p.problem().or(() -> addressing == null
                    ? Optional.of("waiting for the IPv4 layer (io.isthmus.net.ethernet)") : Optional.empty());
            next.put(name, base.with(p.details(now), problem));
        });
        board.publish(next);
    }

    private static PortStatus linkOnly(String name, PortConfig port, Link link) {
        return link == null
                ? new PortStatus(name, PortKind.CELLULAR, port.role(), port.cost(), false, false, List.of(),
                        Optional.empty(), List.of(), Optional.empty(), Optional.empty(), 0, 0,
                        Optional.of("interface missing"))
                : new PortStatus(name, PortKind.CELLULAR, port.role(), port.cost(), true, link.carrier(), List.of(),
                        Optional.empty(), List.of(), Optional.of(link.mtu()), Optional.of(link.mac()),
                        link.rxBytes(), link.txBytes(), Optional.empty());
    }
}
