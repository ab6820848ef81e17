package io.isthmus.routing;

import io.isthmus.api.config.ApplyException;
import io.isthmus.api.config.ApplyTimeout;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.config.ReconcileWorker;
import io.isthmus.api.config.RouteConfig;
import io.isthmus.api.config.SectionApplier;
import io.isthmus.api.linux.Kernel;
import io.isthmus.api.linux.KernelChange;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.KernelStateListener;
import io.isthmus.api.linux.Link;
import io.isthmus.api.linux.LinkListener;
import io.isthmus.api.linux.Resolver;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.PortDriver;
import io.isthmus.api.net.PortStatus;
import io.isthmus.api.net.PortStatusListener;
import io.isthmus.api.routing.RoutingTables;
import io.isthmus.api.uplink.UplinkListener;
import io.isthmus.api.uplink.UplinkSelection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * Reconciles routes, rules and routing sysctls with {@link RoutingPlan}: on every document, port status
 * change, link event and uplink selection, on every kernel event for addresses, routes and rules (drift: an owned
 * route or rule deleted from outside, a foreign default route on an offline port), and every
 * {@link #DRIFT_CHECK} anyway (sysctls have no events). A reconcile that finds nothing to do writes nothing, so
 * the events of its own writes end in one pass that finds nothing.
 * Ranked first among the {@link UplinkListener}s: when the uplink manager's call returns, the default route has
 * moved, before the others (the management agent) hear of the switch.
 */
@Component(immediate = true, service = {SectionApplier.class, PortStatusListener.class, LinkListener.class,
        RoutingTables.class, UplinkListener.class, KernelStateListener.class}, property = {
                SectionApplier.NAME + "=routing", SectionApplier.AFTER + "=uplink",
                "service.ranking:Integer=1000"})
public class PolicyRouter implements SectionApplier, PortStatusListener, LinkListener, RoutingTables,
        UplinkListener, KernelStateListener {
    static final Duration DRIFT_CHECK = Duration.ofSeconds(60);

    private final Kernel kernel;
    private final Logger log;
    private final List<PortDriver> drivers = new CopyOnWriteArrayList<>();
    private final ReconcileWorker worker;
    /** How long an apply may take on the worker: {@link ApplyTimeout}. */
    private final Duration applyTimeout;
    private volatile Optional<NetworkDocument> document = Optional.empty();
    private volatile RoutingPlan lastPlan;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Resolver resolver;
    private volatile UplinkSelection selection;
    /** Per port, what of its last status routing uses. */
    private final Map<String, List<Object>> routed = new java.util.concurrent.ConcurrentHashMap<>();

    @Activate
    public PolicyRouter(@Reference(name = "kernel") Kernel kernel,
            @Reference(name = "log", service = LoggerFactory.class) Logger log, BundleContext context) {
        this.applyTimeout = ApplyTimeout.of(context, log::error);
        this.kernel = kernel;
        this.log = log;
        this.worker = new ReconcileWorker("routing", this::reconcile, DRIFT_CHECK, log::warn);
    }

    @Deactivate
    void deactivate() {
        // routes and rules stay in place while we are away; the next version adopts them
        worker.close();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addDriver(PortDriver driver) {
        drivers.add(driver);
        worker.request();
    }

    void removeDriver(PortDriver driver) {
        drivers.remove(driver);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setSelection(UplinkSelection s) {
        selection = s;
        worker.request();
    }

    void unsetSelection(UplinkSelection s) {
        if (selection == s) {
            selection = null; // the next pass falls back to the cheapest uplink with carrier
        }
    }

    /** Reconciles now and returns once the default route follows the new selection. */
    @Override
    public void selectionChanged(List<UplinkSelection.Weighted> selected) {
        try {
            worker.call(() -> {
                reconcile();
                return null;
            }, applyTimeout);
        } catch (ApplyException e) {
            log.warn("routing: default route not moved to " + selected + ": " + e.getMessage());
        }
    }

    @Override
    public void activeUplinkChanged(Optional<String> previous, Optional<String> current, String reason) {
        // selectionChanged already moved the route
    }

    @Override
    public void apply(NetworkDocument doc) throws ApplyException {
        worker.apply(() -> document = Optional.of(doc), applyTimeout);
    }

    /** As far as the ports' current status tells: addresses a new document gives a port show up once applied. */
    @Override
    public List<String> preview(NetworkDocument doc) throws ApplyException {
        return worker.call(() -> pass(doc).changes().stream().map(Object::toString).toList(), applyTimeout);
    }

    @Override
    public void portChanged(PortStatus status) {
        // counters and driver details change all the time and route nothing: only what routing uses asks for a pass
        List<Object> key = List.of(status.role(), status.cost(), status.present(), status.carrier(),
                status.addresses(), status.gateway(), status.dns());
        if (!key.equals(routed.put(status.name(), key))) {
            worker.request();
        }
    }

    @Override
    public void linkChanged(String device, Optional<Link> now) {
        worker.request();
    }

    @Override
    public void kernelChanged(Set<Kind> kinds) {
        if (kinds.contains(Kind.ADDRESS) || kinds.contains(Kind.ROUTE) || kinds.contains(Kind.RULE)) {
            worker.request();
        }
    }

    @Override
    public Map<String, Integer> tableByPort() {
        RoutingPlan plan = lastPlan;
        return plan == null ? Map.of() : plan.tables();
    }

    /** Runs on the worker thread only. */
    private void reconcile() throws KernelException {
        if (document.isEmpty()) {
            return;
        }
        NetworkDocument doc = document.get();
        Pass pass = pass(doc);
        if (!pass.changes().isEmpty()) {
            log.info("routing: " + pass.changes().size() + " kernel change(s): " + pass.changes());
            kernel.apply(pass.changes());
        }
        RoutingPlan plan = pass.plan();
        if (lastPlan == null || !lastPlan.defaultUplink().equals(plan.defaultUplink())) {
            log.info("routing: default route via " + plan.defaultUplink().orElse("(no uplink ready)"));
        }
        if (lastPlan != null && !lastPlan.dataUplink().equals(plan.dataUplink()) && plan.rules().stream()
                .anyMatch(r -> r.table() == RoutingPlan.DATA_TABLE)) {
            log.info("routing: data default route via " + plan.dataUplink().orElse("(no data uplink ready)"));
        }
        lastPlan = plan;
        updateResolver(doc, plan, pass.status());
    }

    /** One reconcile's inputs and result: the ports' status, the plan, the kernel writes it needs. */
    private record Pass(Map<String, PortStatus> status, RoutingPlan plan, List<KernelChange> changes) {
    }

    /** The last status any driver reported per port; on the worker only. */
    private final Map<String, PortStatus> lastKnown = new LinkedHashMap<>();

    /** Runs on the worker thread only. */
    private Pass pass(NetworkDocument doc) throws KernelException {
        // a port whose driver is away (its bundle being updated) keeps its routes: the kernel keeps its addresses
        for (PortDriver d : drivers) {
            d.status().forEach(s -> lastKnown.put(s.name(), s));
        }
        lastKnown.keySet().retainAll(doc.ports().keySet());
        Map<String, PortStatus> status = new LinkedHashMap<>(lastKnown);
        Map<String, Link> links = new LinkedHashMap<>();
        for (Link l : kernel.links()) {
            links.put(l.name(), l);
        }
        UplinkSelection s = selection;
        RoutingPlan plan = RoutingPlan.of(doc.ports(), doc.routes(), status, links,
                s == null ? List.of() : s.selected(), s == null ? List.of() : s.dataSelected(), doc.uplink());
        Map<String, Optional<String>> sysctls = new LinkedHashMap<>();
        for (String key : plan.sysctls().keySet()) {
            sysctls.put(key, kernel.sysctl(key));
        }
        return new Pass(status, plan, RoutingDiff.changes(plan, kernel.routes(), kernel.rules(), sysctls,
                RoutingPlan.offlinePorts(doc.ports())));
    }

    private void updateResolver(NetworkDocument doc, RoutingPlan plan, Map<String, PortStatus> status)
            throws KernelException {
        Resolver r = resolver;
        if (r == null) {
            return;
        }
        List<Ipv4Address> servers = new ArrayList<>();
        if (!doc.dns().servers().isEmpty()) {
            doc.dns().servers().forEach(s -> Ipv4Address.parse(s).ifPresent(servers::add));
        } else {
            plan.defaultUplink().map(status::get).ifPresent(s -> servers.addAll(s.dns()));
        }
        r.setNameservers(servers); // writes only when the file differs
    }
}
