package io.isthmus.multicast;

import io.isthmus.api.config.ApplyException;
import io.isthmus.api.config.ApplyTimeout;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.ReconcileWorker;
import io.isthmus.api.config.SectionApplier;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.MdnsReflector;
import io.isthmus.api.linux.MulticastRoute;
import io.isthmus.api.linux.MulticastRoutes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Runs {@link MulticastPlan}: smcroute with exactly the configured routes, the mDNS reflector on exactly the
 * configured ports. Applied after the firewall (order 310), which opens the forward rules and fixes TTL-1
 * publishers for the same flows. Groups that are not configured have no route: the kernel drops them.
 */
@Component(immediate = true, service = SectionApplier.class, property = {SectionApplier.NAME + "=multicast",
    SectionApplier.AFTER + "=firewall"})
public class MulticastPassThrough implements SectionApplier {
    /** How often the daemons are looked after while the document asks for any (a dead one is restarted). */
    static final Duration CHECK = Duration.ofSeconds(1);
    /** Without multicast routes or a reflector there is nothing to look after. */
    static final Duration CHECK_IDLE = Duration.ofSeconds(60);

    private final MulticastRoutes routes;
    private final MdnsReflector reflector;
    private final Logger log;
    private final ReconcileWorker worker;
    /** How long an apply may take on the worker: {@link ApplyTimeout}. */
    private final Duration applyTimeout;
    private volatile Optional<NetworkDocument> document = Optional.empty();
    /** The routes last logged: a set that keeps failing (retried every second) is logged once. */
    private List<MulticastRoute> logged = List.of();

    @Activate
    public MulticastPassThrough(@Reference(name = "routes") MulticastRoutes routes,
            @Reference(name = "reflector") MdnsReflector reflector,
            @Reference(name = "log", service = LoggerFactory.class) Logger log, BundleContext context) {
        this.applyTimeout = ApplyTimeout.of(context, log::error);
        this.routes = routes;
        this.reflector = reflector;
        this.log = log;
        this.worker = new ReconcileWorker("multicast", this::reconcile, () -> document.map(MulticastPlan::of)
                .filter(p -> !p.routes().isEmpty() || !p.reflectorPorts().isEmpty()).isPresent() ? CHECK : CHECK_IDLE,
                log::warn);
    }

    @Deactivate
    void deactivate() {
        worker.close();
    }

    @Override
    public void apply(NetworkDocument doc) throws ApplyException {
        worker.apply(() -> document = Optional.of(doc), applyTimeout);
    }

    @Override
    public List<String> preview(NetworkDocument doc) {
        MulticastPlan plan = MulticastPlan.of(doc);
        List<String> changes = new ArrayList<>();
        if (!plan.routes().equals(routes.current())) {
            changes.add("multicast routes: " + plan.routes());
        }
        if (!plan.reflectorPorts().isEmpty()) {
            changes.add("mDNS reflector (OPC UA types) between " + plan.reflectorPorts());
        }
        return changes;
    }

    /** Worker thread only; both services write only when something changed. */
    private void reconcile() throws KernelException {
        if (document.isEmpty()) {
            return;
        }
        MulticastPlan plan = MulticastPlan.of(document.get());
        if (!plan.routes().equals(routes.current()) && !plan.routes().equals(logged)) {
            log.info("multicast: routes " + plan.routes());
            logged = plan.routes();
        }
        routes.set(plan.routes());
        reflector.reflect(plan.reflectorPorts(), MulticastPlan.OPCUA_SERVICE_TYPES);
    }
}
