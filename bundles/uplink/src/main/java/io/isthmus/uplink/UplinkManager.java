package io.isthmus.uplink;

import io.isthmus.api.config.ApplyException;
import io.isthmus.api.config.ApplyTimeout;
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
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * and a pass every second while time alone can change the decision (the minimum dwell time after a switch, a
 * data cap), else every {@link #TICK_IDLE}. Links are known from link events; the kernel's byte counters are read
 * again every {@link #COUNT_CAPPED} while an uplink has a data cap, else every {@link #COUNT_UNCAPPED} (for the
 * status): a decision pass itself starts no process.
 */
@Component(immediate = true, service = {SectionApplier.class, LinkListener.class, PortStatusListener.class,
        UplinkSelection.class, UplinkStatus.class}, property = SectionApplier.NAME + "=uplink")
public class UplinkManager implements SectionApplier, LinkListener, PortStatusListener, UplinkSelection, UplinkStatus {
    static final Duration TICK = Duration.ofSeconds(1);
    static final Duration TICK_IDLE = Duration.ofSeconds(60);
    static final Duration SAVE_USAGE_EVERY = Duration.ofSeconds(10);
    /** How often the counters are read while a data cap applies: a cap is noticed within this much. */
    static final Duration COUNT_CAPPED = Duration.ofSeconds(2);
    static final Duration COUNT_UNCAPPED = Duration.ofSeconds(60);
    /** Uplinks without a cap are counted in monthly periods too, for the status. */
    static final UplinkConfig.DataCap NO_CAP = new UplinkConfig.DataCap(Long.MAX_VALUE, 1);

    private final Kernel kernel;
    private final Logger log;
    private final ReconcileWorker worker;
    /** How long an apply may take on the worker: {@link ApplyTimeout}. */
    private final Duration applyTimeout;
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
    /** Uplinks whose probes have told something (health no longer unknown): a failed probe is not retried soon. */
    private volatile java.util.Set<String> known = java.util.Set.of();
    /** The management path: the main default route, the gateway's own traffic. */
    private volatile Selector.Decision decision = Selector.Decision.NONE;
    /** The data path: traffic forwarded from the inside ports; the same object unless the document splits them. */
    private volatile Selector.Decision dataDecision = Selector.Decision.NONE;
    private volatile List<UplinkState> states = List.of();

    // the worker's own
    private final Map<String, UplinkHealth> health = new HashMap<>();
    private final Map<String, Boolean> capReached = new HashMap<>();
    private final DataUsage usage;
    private Instant usageSaved = Instant.EPOCH;
    /** The links as last read or told by a link event, and when the counters were read. */
    private final Map<String, Link> links = new HashMap<>();
    private NetworkDocument portsOf;
    private Map<String, PortConfig> ports = Map.of();
    private Instant countedAt = Instant.EPOCH;
    private boolean usageDirty;

    @Activate
    public UplinkManager(BundleContext context, @Reference(name = "kernel") Kernel kernel,
            @Reference(name = "pinger") Pinger pinger,
            @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this.applyTimeout = ApplyTimeout.of(context, log::error);
        this.kernel = kernel;
        this.log = log;
        this.usageFile = DataFile.of(context, "data-usage");
        this.selectionFile = DataFile.of(context, "selection");
        this.usage = DataUsage.parse(usageFile.lines());
        this.rounds = new ProbeRounds(new Prober(pinger), new ProbeRounds.Results() {
            @Override
            public void round(String port, long gen, boolean ok, Optional<Duration> rtt, Instant at) {
                probed(port, gen, List.of(new ProbeRounds.Round(ok, rtt, at)));
            }

            @Override
            public void rounds(String port, long gen, List<ProbeRounds.Round> rounds) {
                probed(port, gen, rounds);
            }
        });
        this.worker = new ReconcileWorker("uplink", this::evaluate, this::tick, log::warn);
        // the selection of the previous run holds until probes say otherwise: an update moves no route
        SavedSelection restored = SavedSelection.parse(selectionFile.lines());
        Instant now = Instant.now();
        decision = restored.management().isEmpty() ? Selector.Decision.NONE
                : new Selector.Decision(restored.management(), now, "kept from before the restart");
        dataDecision = restored.data().map(d -> d.isEmpty() ? Selector.Decision.NONE
                : new Selector.Decision(d, now, "kept from before the restart")).orElse(decision);
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
        worker.apply(() -> adopt(doc), applyTimeout);
    }

    @Override
    public void linkChanged(String device, Optional<Link> now) {
        worker.execute(() -> {
            now.ifPresentOrElse(l -> links.put(device, l), () -> links.remove(device));
            UplinkHealth h = health.get(device);
            if (h != null) {
                carrier(device, h, now.map(Link::carrier).orElse(false), Instant.now());
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
    public List<Weighted> dataSelected() {
        return dataDecision.selection();
    }

    @Override
    public List<String> managementPath() {
        return decision.selection().stream().map(Weighted::port).toList();
    }

    @Override
    public List<String> dataPath() {
        return dataDecision.selection().stream().map(Weighted::port).toList();
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
        List<String> trusted = java.util.stream.Stream.concat(managementPath().stream(), dataPath().stream()).toList();
        health.clear();
        for (String port : uplinkPorts(doc).keySet()) {
            UplinkHealth h = new UplinkHealth(probe.downAfter(), probe.upAfter(), !targets.isEmpty(), now);
            if (trusted.contains(port)) {
                h.assumeUp(now);
            }
            health.put(port, h);
            rounds.start(port, gen, probe, targets, this::plan, () -> generation);
        }
        rounds.replan(); // the probing of the previous generation stops
    }

    /** The uplink ports of {@code doc}, worked out once per document (the status follows every probe round). */
    private Map<String, PortConfig> uplinksOf(NetworkDocument doc) {
        if (doc != portsOf) {
            ports = uplinkPorts(doc);
            portsOf = doc;
        }
        return ports;
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

    /** How long until the next periodic pass: short while the dwell time runs or a data cap is counted. */
    private Duration tick() {
        NetworkDocument doc = document;
        if (doc == null || !doc.uplink().dataCaps().isEmpty()) {
            return TICK;
        }
        Duration dwell = Duration.ofMillis(doc.uplink().minDwellMs()).plus(TICK);
        Instant since = decision.since().isAfter(dataDecision.since()) ? decision.since() : dataDecision.since();
        return Duration.between(since, Instant.now()).compareTo(dwell) <= 0 ? TICK : TICK_IDLE;
    }

    /** How a port is probed now: a costly uplink on standby slowly and with small packets. Any thread. */
    private ProbeRounds.Plan plan(String port) {
        NetworkDocument doc = document;
        PortConfig p = doc.ports().get(port);
        boolean standby = !managementPath().contains(port) && !dataPath().contains(port);
        return ProbeRounds.Plan.of(doc.uplink(), p == null ? 0 : p.cost(), Optional.ofNullable(sources.get(port)),
                standby, known.contains(port));
    }

    /** A carrier change: the uplink's health may move again, so its probe rounds are wanted as they come. */
    private void carrier(String port, UplinkHealth h, boolean up, Instant now) {
        if (h.carrier() != up) {
            h.carrier(up, now);
            rounds.prompt(port);
        }
    }

    /**
     * Probe rounds' results (one, or a steady run's together), handed to the worker. Rounds that change nothing
     * but the figures (the health state and its reason stay) update the status only: a full decision pass runs
     * when the health moves.
     */
    private void probed(String port, long gen, List<ProbeRounds.Round> results) {
        worker.execute(() -> {
            UplinkHealth h = health.get(port);
            if (gen == generation && h != null && h.carrier()) {
                UplinkState.Health before = h.state();
                String why = h.reason();
                for (ProbeRounds.Round r : results) {
                    h.round(r.ok(), r.rtt(), r.at());
                }
                if (h.state() != before || !h.reason().equals(why)) {
                    worker.reconcileQuietly();
                } else if (document != null) {
                    states = states(document, Instant.now());
                }
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
        Duration countEvery = doc.uplink().dataCaps().isEmpty() ? COUNT_UNCAPPED : COUNT_CAPPED;
        if (Duration.between(countedAt, now).compareTo(countEvery) >= 0) {
            countedAt = now;
            links.clear();
            kernel.links().forEach(l -> links.put(l.name(), l));
        }
        // a port whose driver is away (its bundle being updated) keeps its last status: the kernel keeps its
        // addresses meanwhile, and the probes still tell whether it works
        drivers.forEach(d -> d.status().forEach(s -> lastKnown.put(s.name(), s)));
        lastKnown.keySet().retainAll(doc.ports().keySet());
        Map<String, PortStatus> status = lastKnown;

        Map<String, Ipv4Address> src = new HashMap<>();
        List<Selector.Candidate> candidates = new ArrayList<>();
        int order = 0;
        for (Map.Entry<String, PortConfig> e : uplinksOf(doc).entrySet()) {
            String port = e.getKey();
            UplinkHealth h = health.get(port);
            Link link = links.get(port);
            PortStatus s = status.get(port);
            if (h == null) {
                continue;
            }
            carrier(port, h, link != null && link.carrier(), now);
            // probed only with carrier: a round that comes back before the carrier is known is not counted
            if (h.carrier() && s != null && !s.addresses().isEmpty()) {
                src.put(port, s.addresses().get(0).address());
            }
            boolean capped = countUsage(port, link, doc.uplink(), now);
            boolean usable = h.usable() && src.containsKey(port) && s.gateway().isPresent();
            candidates.add(new Selector.Candidate(port, e.getValue().cost(), order++, usable, capped,
                    doc.uplink().weightOf(port)));
        }
        Map<String, Ipv4Address> newSources = Map.copyOf(src);
        java.util.Set<String> newKnown = health.entrySet().stream()
                .filter(e -> e.getValue().state() != UplinkState.Health.UNKNOWN).map(Map.Entry::getKey)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
        boolean replan = !newSources.equals(sources) || !newKnown.equals(known);
        sources = newSources;
        known = newKnown;
        saveUsageEvery(now);

        UplinkConfig cfg = doc.uplink();
        boolean split = cfg.splitsPaths(uplinksOf(doc).keySet());
        Duration dwell = Duration.ofMillis(cfg.minDwellMs());
        Selector.Paths before = new Selector.Paths(decision, dataDecision);
        Selector.Paths after = Selector.decidePaths(candidates, cfg, split, before, dwell, now);
        if (!after.sameAs(before)) {
            replan |= !after.management().selection().equals(before.management().selection())
                    || !after.data().selection().equals(before.data().selection());
            switchTo(before, after, split, now);
        }
        states = states(doc, now);
        if (replan) {
            rounds.replan(); // a new source address, or a costly uplink became standby or active
        }
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

    /**
     * Routing first (it reads both paths), then per path that changed its active uplink: the conntrack flush of
     * flows NATed through the old data uplink, the listeners, the log. One switch when one path carries both.
     */
    private void switchTo(Selector.Paths before, Selector.Paths after, boolean split, Instant now) {
        decision = after.management();
        dataDecision = after.data();
        saveSelection(after, split);
        List<UplinkListener> ordered = listeners.entrySet().stream()
                .sorted(Map.Entry.<UplinkListener, Integer>comparingByValue().reversed()).map(Map.Entry::getKey)
                .toList();
        ordered.forEach(l -> tell(l, () -> l.selectionChanged(after.management().selection())));
        boolean managementMoved = !before.management().active().equals(after.management().active());
        boolean dataMoved = !before.data().active().equals(after.data().active());
        if (!managementMoved && !dataMoved) {
            log.info("uplink: selection " + after.management().selection() + (split ? ", data "
                    + after.data().selection() : "") + " (" + after.management().reason() + ")");
            return;
        }
        boolean together = managementMoved && dataMoved
                && before.management().active().equals(before.data().active())
                && after.management().active().equals(after.data().active());
        List<UplinkSwitch> changes = new ArrayList<>();
        if (together) {
            changes.add(change(before.management(), after.management(), EnumSet.allOf(UplinkSwitch.Path.class), now));
        } else {
            if (managementMoved) {
                changes.add(change(before.management(), after.management(), EnumSet.of(UplinkSwitch.Path.MANAGEMENT),
                        now));
            }
            if (dataMoved) {
                changes.add(change(before.data(), after.data(), EnumSet.of(UplinkSwitch.Path.DATA), now));
            }
        }
        if (dataMoved) {
            before.data().active().ifPresent(this::flushNat); // only forwarded (inside) flows are NATed
        }
        for (UplinkSwitch change : changes) {
            ordered.forEach(l -> tell(l, () -> l.uplinkSwitched(change)));
            String path = change.paths().size() == 1 ? " (" + change.paths().iterator().next().id() + ")" : "";
            log.info("uplink" + path + ": " + change.previous().orElse("(none)") + " -> "
                    + change.current().orElse("(none)") + " (" + change.reason() + "; detected after "
                    + change.detectedAfter().toMillis() + " ms)");
        }
        // evt/uplink of the switch: the management agent publishes it as an UplinkListener (uplinkSwitched)
    }

    private UplinkSwitch change(Selector.Decision before, Selector.Decision after, Set<UplinkSwitch.Path> paths,
            Instant now) {
        Duration detected = before.selection().stream().map(w -> health.get(w.port())).filter(h -> h != null
                && !h.usable()).flatMap(h -> h.firstFailure().stream()).min(Comparator.naturalOrder())
                .map(first -> Duration.between(first, now)).orElse(Duration.ZERO);
        String why = after.selection().isEmpty() && paths.size() == 1
                ? "no uplink that may carry " + paths.iterator().next().id() + " is up" : after.reason();
        String reason = before.active().map(health::get).filter(h -> h != null && !h.usable())
                .map(h -> why + ": " + h.reason()).orElse(why);
        return new UplinkSwitch(before.active(), after.active(), reason, detected, now, after.selection(), paths);
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
        for (Map.Entry<String, PortConfig> e : uplinksOf(doc).entrySet()) {
            String port = e.getKey();
            UplinkHealth h = health.get(port);
            if (h != null) {
                Optional<UplinkConfig.DataCap> cap = Optional.ofNullable(doc.uplink().dataCaps().get(port));
                Optional<Double> rtt = h.lastRtt().isPresent()
                        ? Optional.of(h.lastRtt().get().toNanos() / 1e6) : Optional.empty();
                out.add(new UplinkState(port, e.getValue().cost(), h.state(), rtt, h.loss(), h.since(),
                        usage.bytes(port), cap.isPresent() ? Optional.of(cap.get().bytes()) : Optional.empty(),
                        capReached.getOrDefault(port, false)));
            }
        }
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

    private void saveSelection(Selector.Paths paths, boolean split) {
        try {
            selectionFile.replace(SavedSelection.serialize(paths.management().selection(),
                    split ? Optional.of(paths.data().selection()) : Optional.empty()));
        } catch (IOException e) {
            log.warn("uplink: cannot save the selection: " + e.getMessage());
        }
    }
}
