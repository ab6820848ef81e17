package io.isthmus.uplink;

import io.isthmus.api.config.ApplyException;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.config.ReconcileWorker;
import io.isthmus.api.config.SectionApplier;
import io.isthmus.api.config.UplinkConfig;
import io.isthmus.api.firewall.ConntrackFlusher;
import io.isthmus.api.linux.Kernel;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Link;
import io.isthmus.api.linux.LinkListener;
import io.isthmus.api.linux.Pinger;
import io.isthmus.api.mgmt.EventPublisher;
import io.isthmus.api.mgmt.EventRelay;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.PortDriver;
import io.isthmus.api.net.PortRole;
import io.isthmus.api.net.PortStatus;
import io.isthmus.api.net.PortStatusListener;
import io.isthmus.api.runtime.DataFile;
import io.isthmus.api.uplink.UplinkListener;
import io.isthmus.api.uplink.UplinkSelection;
import io.isthmus.api.uplink.UplinkState;
import io.isthmus.api.uplink.UplinkStatus;
import io.isthmus.api.uplink.UplinkSwitch;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The uplink manager: probes every uplink through its own port (also while standby), follows carrier events,
 * counts data against caps, and decides with {@link Selector} which uplinks carry the default route. It owns no
 * kernel state: the routing bundle turns the {@link UplinkSelection} into the route (it is told first, and
 * synchronously), then conntrack entries NATed through the old uplink are flushed, the other listeners are told
 * (the management agent reconnects and publishes {@code evt/uplink}), and the switch is logged. A data cap
 * reached is published here, through the {@link EventPublisher}.
 *
 * <p>All decisions run on one {@link ReconcileWorker} thread: probe results, link and port events, the document,
 * and a pass every second (counters, dwell time, data caps).
 */
@Component(immediate = true, service = {SectionApplier.class, LinkListener.class, PortStatusListener.class,
        UplinkSelection.class, UplinkStatus.class}, property = SectionApplier.NAME + "=uplink")
public class UplinkManager implements SectionApplier, LinkListener, PortStatusListener, UplinkSelection, UplinkStatus {
    static final Duration TICK = Duration.ofSeconds(1);
    static final Duration APPLY_TIMEOUT = Duration.ofSeconds(30);
    static final Duration SAVE_USAGE_EVERY = Duration.ofSeconds(10);
    /** Uplinks without a cap are counted in monthly periods too, for the status. */
    static final UplinkConfig.DataCap NO_CAP = new UplinkConfig.DataCap(Long.MAX_VALUE, 1);

    private final Kernel kernel;
    private final Logger log;
    private final ReconcileWorker worker;
    private final ProbeRounds rounds;
    private final DataFile usageFile;
    private final DataFile selectionFile;
    private final List<PortDriver> drivers = new CopyOnWriteArrayList<>();
    private final Map<UplinkListener, Integer> listeners = new ConcurrentHashMap<>();
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConntrackFlusher flusher;
    private final EventRelay events = new EventRelay();

    // read by probe threads and services; written on the worker only
    private volatile NetworkDocument document;
    private volatile long generation;
    private volatile Map<String, Ipv4Address> sources = Map.of();
    private volatile Selector.Decision decision = Selector.Decision.NONE;
    private volatile List<UplinkState> states = List.of();

    // the worker's own
    private final Map<String, UplinkHealth> health = new HashMap<>();
    private final Map<String, Boolean> capReached = new HashMap<>();
    private final DataUsage usage;
    private Instant usageSaved = Instant.EPOCH;
    private boolean usageDirty;

    @Activate
    public UplinkManager(BundleContext context, @Reference(name = "kernel") Kernel kernel,
            @Reference(name = "pinger") Pinger pinger,
            @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this.kernel = kernel;
        this.log = log;
        this.usageFile = DataFile.of(context, "data-usage");
        this.selectionFile = DataFile.of(context, "selection");
        this.usage = DataUsage.parse(usageFile.lines());
        this.rounds = new ProbeRounds(new Prober(pinger), this::probed);
        this.worker = new ReconcileWorker("uplink", this::evaluate, TICK, log::warn);
        List<Weighted> restored = parseSelection(selectionFile.lines());
        if (!restored.isEmpty()) {
            // the selection of the previous run holds until probes say otherwise: an update moves no route
            decision = new Selector.Decision(restored, Instant.now(), "kept from before the restart");
        }
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
        rounds.close();
        worker.close();
        saveUsage(); // the worker is gone: nothing else touches usage now
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addDriver(PortDriver driver) {
        drivers.add(driver);
        worker.request();
    }

    void removeDriver(PortDriver driver) {
        drivers.remove(driver);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(UplinkListener listener, Map<String, Object> properties) {
        listeners.put(listener, properties.get(Constants.SERVICE_RANKING) instanceof Integer r ? r : 0);
    }

    void removeListener(UplinkListener listener) {
        listeners.remove(listener);
    }

    @Override
    public void apply(NetworkDocument doc) throws ApplyException {
        worker.apply(() -> adopt(doc), APPLY_TIMEOUT);
    }

    @Override
    public void linkChanged(String device, Optional<Link> now) {
        worker.execute(() -> {
            UplinkHealth h = health.get(device);
            if (h != null) {
                h.carrier(now.map(Link::carrier).orElse(false), Instant.now());
            }
            worker.reconcileQuietly();
        });
    }

    @Override
    public void portChanged(PortStatus status) {
        worker.request(); // a new lease: probe from the new address
    }

    @Override
    public List<Weighted> selected() {
        return decision.selection();
    }

    @Override
    public List<UplinkState> uplinks() {
        return states;
    }

    @Override
    public Optional<String> active() {
        return decision.active();
    }

    @Override
    public Optional<Instant> activeSince() {
        return decision.active().map(a -> decision.since());
    }

    /** A new document: fresh health for every uplink (a kept selection stays trusted), probing restarted. */
    private void adopt(NetworkDocument doc) {
        if (document != null && document.uplink().equals(doc.uplink()) && uplinkPorts(document).equals(uplinkPorts(doc))) {
            document = doc;
            return;
        }
        document = doc;
        long gen = ++generation;
        Instant now = Instant.now();
        UplinkConfig.Probe probe = doc.uplink().probe();
        List<ProbeTarget> targets = probe.targets().stream().map(ProbeTarget::parse)
                .flatMap(p -> p.target().stream()).toList();
        List<String> trusted = decision.selection().stream().map(Weighted::port).toList();
        health.clear();
        for (String port : uplinkPorts(doc).keySet()) {
            UplinkHealth h = new UplinkHealth(probe.downAfter(), probe.upAfter(), !targets.isEmpty(), now);
            if (trusted.contains(port)) {
                h.assumeUp(now);
            }
            health.put(port, h);
            rounds.start(port, gen, probe, targets, this::plan, () -> generation);
        }
    }

    private static Map<String, PortConfig> uplinkPorts(NetworkDocument doc) {
        Map<String, PortConfig> out = new LinkedHashMap<>();
        doc.ports().forEach((n, p) -> {
            if (p.role() == PortRole.UPLINK) {
                out.put(n, p);
            }
        });
        return out;
    }

    /** How a port is probed now: a costly uplink on standby slowly and with small packets. Any thread. */
    private ProbeRounds.Plan plan(String port) {
        NetworkDocument doc = document;
        UplinkConfig cfg = doc.uplink();
        PortConfig p = doc.ports().get(port);
        Optional<Ipv4Address> source = Optional.ofNullable(sources.get(port));
        boolean standby = decision.selection().stream().noneMatch(w -> w.port().equals(port));
        boolean costly = p != null && p.cost() > cfg.costly().above();
        // no address yet: look again soon, so a costly uplink's first probe does not wait for its slow interval
        return costly && standby && source.isPresent()
                ? new ProbeRounds.Plan(source, Duration.ofMillis(cfg.costly().intervalMs()), cfg.costly().payloadBytes())
                : new ProbeRounds.Plan(source, Duration.ofMillis(cfg.probe().intervalMs()), ProbeRounds.PAYLOAD_BYTES);
    }

    /** A probe thread's result, handed to the worker. */
    private void probed(String port, long gen, boolean ok, Optional<Duration> rtt, Instant at) {
        worker.execute(() -> {
            UplinkHealth h = health.get(port);
            if (gen == generation && h != null && h.carrier()) {
                h.round(ok, rtt, at);
                worker.reconcileQuietly();
            }
        });
    }

    /** The last status any driver reported per port; on the worker only. */
    private final Map<String, PortStatus> lastKnown = new HashMap<>();

    /** The decision pass: on the worker only. */
    private void evaluate() throws KernelException {
        NetworkDocument doc = document;
        if (doc == null) {
            return;
        }
        Instant now = Instant.now();
        Map<String, Link> links = new HashMap<>();
        kernel.links().forEach(l -> links.put(l.name(), l));
        // a port whose driver is away (its bundle being updated) keeps its last status: the kernel keeps its
        // addresses meanwhile, and the probes still tell whether it works
        drivers.forEach(d -> d.status().forEach(s -> lastKnown.put(s.name(), s)));
        lastKnown.keySet().retainAll(doc.ports().keySet());
        Map<String, PortStatus> status = lastKnown;

        Map<String, Ipv4Address> src = new HashMap<>();
        List<Selector.Candidate> candidates = new ArrayList<>();
        int order = 0;
        for (Map.Entry<String, PortConfig> e : uplinkPorts(doc).entrySet()) {
            String port = e.getKey();
            UplinkHealth h = health.get(port);
            Link link = links.get(port);
            PortStatus s = status.get(port);
            if (h == null) {
                continue;
            }
            h.carrier(link != null && link.carrier(), now);
            if (s != null && !s.addresses().isEmpty()) {
                src.put(port, s.addresses().get(0).address());
            }
            boolean capped = countUsage(port, link, doc.uplink(), now);
            boolean usable = h.usable() && src.containsKey(port) && s.gateway().isPresent();
            candidates.add(new Selector.Candidate(port, e.getValue().cost(), order++, usable, capped,
                    doc.uplink().weightOf(port)));
        }
        sources = Map.copyOf(src);
        saveUsageEvery(now);

        Selector.Decision before = decision;
        Selector.Decision after = Selector.decide(candidates, doc.uplink().equalCost(), before,
                Duration.ofMillis(doc.uplink().minDwellMs()), now);
        if (after != before) {
            switchTo(before, after, now);
        }
        states = states(doc, now);
    }

    /** Counts the port's bytes (for the status, capped or not); true when its cap is reached (an event then). */
    private boolean countUsage(String port, Link link, UplinkConfig cfg, Instant now) {
        UplinkConfig.DataCap cap = cfg.dataCaps().getOrDefault(port, NO_CAP);
        if (link == null) {
            return false;
        }
        usageDirty |= usage.count(port, link.rxBytes() + link.txBytes(), cap, now);
        boolean reached = usage.reached(port, cap, now);
        if (reached && !capReached.getOrDefault(port, false)) {
            log.warn("uplink: " + port + " reached its data cap (" + usage.bytes(port) + " of " + cap.bytes()
                    + " bytes this period): used only when no other uplink is up");
            publish(Map.of("event", "dataCapReached", "port", port, "bytes", usage.bytes(port), "capBytes",
                    cap.bytes()));
        }
        capReached.put(port, reached);
        return reached;
    }

    private void switchTo(Selector.Decision before, Selector.Decision after, Instant now) {
        decision = after;
        saveSelection(after.selection());
        List<UplinkListener> ordered = listeners.entrySet().stream()
                .sorted(Map.Entry.<UplinkListener, Integer>comparingByValue().reversed()).map(Map.Entry::getKey)
                .toList();
        ordered.forEach(l -> tell(l, () -> l.selectionChanged(after.selection())));
        if (before.active().equals(after.active())) {
            log.info("uplink: selection " + after.selection() + " (" + after.reason() + ")");
            return;
        }
        Duration detected = before.selection().stream().map(w -> health.get(w.port())).filter(h -> h != null
                && !h.usable()).flatMap(h -> h.firstFailure().stream()).min(Comparator.naturalOrder())
                .map(first -> Duration.between(first, now)).orElse(Duration.ZERO);
        String reason = before.active().map(health::get).filter(h -> !h.usable())
                .map(h -> after.reason() + ": " + h.reason()).orElse(after.reason());
        UplinkSwitch change = new UplinkSwitch(before.active(), after.active(), reason, detected, now,
                after.selection());
        before.active().ifPresent(this::flushNat);
        ordered.forEach(l -> tell(l, () -> l.uplinkSwitched(change)));
        log.info("uplink: " + before.active().orElse("(none)") + " -> " + after.active().orElse("(none)") + " ("
                + reason + "; detected after " + detected.toMillis() + " ms)");
        // evt/uplink of the switch: the management agent publishes it as an UplinkListener (uplinkSwitched)
    }

    private void tell(UplinkListener l, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("uplink: a listener failed: " + e); // the others still hear of it
        }
    }

    private void flushNat(String oldUplink) {
        ConntrackFlusher f = flusher;
        if (f != null) {
            try {
                int n = f.flushNatThrough(oldUplink);
                log.info("uplink: flushed " + n + " conntrack entries NATed through " + oldUplink);
            } catch (RuntimeException e) {
                log.warn("uplink: conntrack flush for " + oldUplink + " failed: " + e);
            }
        }
    }

    private void publish(Map<String, Object> body) {
        events.publish("uplink", body, EventPublisher.Priority.HIGH);
    }

    private List<UplinkState> states(NetworkDocument doc, Instant now) {
        List<UplinkState> out = new ArrayList<>();
        uplinkPorts(doc).forEach((port, p) -> {
            UplinkHealth h = health.get(port);
            if (h != null) {
                Optional<UplinkConfig.DataCap> cap = Optional.ofNullable(doc.uplink().dataCaps().get(port));
                out.add(new UplinkState(port, p.cost(), h.state(), h.lastRtt().map(d -> d.toNanos() / 1e6), h.loss(),
                        h.since(), usage.bytes(port), cap.map(UplinkConfig.DataCap::bytes),
                        capReached.getOrDefault(port, false)));
            }
        });
        return List.copyOf(out);
    }

    private void saveUsageEvery(Instant now) {
        if (usageDirty && Duration.between(usageSaved, now).compareTo(SAVE_USAGE_EVERY) >= 0) {
            saveUsage();
            usageSaved = now;
        }
    }

    private void saveUsage() {
        try {
            usageFile.replace(usage.serialize());
            usageDirty = false;
        } catch (IOException e) {
            log.warn("uplink: cannot save data usage: " + e.getMessage());
        }
    }

    private void saveSelection(List<Weighted> selection) {
        StringBuilder b = new StringBuilder();
        selection.forEach(w -> b.append(w.port()).append(' ').append(w.weight()).append('\n'));
        try {
            selectionFile.replace(b.toString());
        } catch (IOException e) {
            log.warn("uplink: cannot save the selection: " + e.getMessage());
        }
    }

    private static List<Weighted> parseSelection(List<String> lines) {
        List<Weighted> out = new ArrayList<>();
        for (String line : lines) {
            String[] p = line.trim().split(" ");
            if (p.length == 2 && p[1].matches("\\d{1,3}")) {
                out.add(new Weighted(p[0], Integer.parseInt(p[1])));
            }
        }
        return out;
    }
}
