package io.isthmus.runtime;

import io.isthmus.api.runtime.BundleState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * The self-check's eyes and hands. It learns, while all is well, which bundles provide the core services (the
 * agent, the config service, the appliers: {@link Protection#ROLES}) and which bundles they need; when one of them
 * stays down (bundle not ACTIVE, component disabled or unsatisfied, no DS runtime) for {@code grace}, it starts the
 * bundles that should run and enables the components; if that does not bring them back within another
 * {@code grace}, it ends the JVM with a non-zero status so the service manager restarts the gateway.
 *
 * <p>Driven by bundle and service events plus a slow poll (component states change without framework events),
 * all on one thread. It uses the framework API directly, not DS injection: when the DS runtime itself is stopped,
 * the self-check component is deactivated and hands its watch over ({@link #orphan()}); the watch then brings DS
 * back, and ends once a new self-check runs and the core is healthy.
 */
final class Watch implements BundleListener, ServiceListener, AutoCloseable {
    static final int SATISFIED = ComponentConfigurationDTO.SATISFIED;
    static final int ACTIVE = ComponentConfigurationDTO.ACTIVE;

    interface Out {
        void info(String message);

        void warn(String message);

        void error(String message);
    }

    record Settings(long graceMs, long pollMs, int exitStatus) {
    }

    private final BundleContext context;
    private final Settings settings;
    private final Out out;
    private final IntConsumer exit;
    private final ScheduledExecutorService timer;
    private final AtomicBoolean queued = new AtomicBoolean();
    /**
     * A bundle or service event came since the last {@link #learn}: what provides the core, and the wiring, may
     * have changed. The slow poll alone changes neither (a core component that comes up registers its service), so
     * a poll of a healthy gateway only checks, and stays cheap: it runs every few seconds for ever.
     */
    private final AtomicBoolean changed = new AtomicBoolean(true);
    // below: touched on the timer thread only
    /** Core bundle id to the core services its components provided while healthy. */
    private final Map<Long, Set<String>> roles = new HashMap<>();
    /** The protected bundles as last derived while healthy: what to start again. */
    private Set<Long> needed = Set.of();
    private long downSinceNanos = -1;
    private boolean restored;
    private volatile boolean orphan;

    Watch(BundleContext context, Settings settings, Out out, IntConsumer exit) {
        this.context = context;
        this.settings = settings;
        this.out = out;
        this.exit = exit;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "isthmus-selfcheck");
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        context.addBundleListener(this);
        context.addServiceListener(this);
        timer.scheduleWithFixedDelay(this::evaluateSafely, 0, settings.pollMs(), TimeUnit.MILLISECONDS);
    }

    /** The self-check component went away while the framework runs on: keep watching until a new one runs. */
    void orphan() {
        orphan = true;
        out.warn("self-check: deactivated while the gateway runs on; watching until it is back");
        evaluateSoon();
    }

    boolean orphaned() {
        return orphan;
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        if (event.getType() == BundleEvent.UPDATED || event.getType() == BundleEvent.UNINSTALLED) {
            long id = event.getBundle().getBundleId();
            // a new revision may provide other components (an update has its own health window and rollback)
            submit(() -> roles.remove(id));
        }
        changed.set(true);
        evaluateSoon();
    }

    @Override
    public void serviceChanged(ServiceEvent event) {
        changed.set(true);
        evaluateSoon();
    }

    private void evaluateSoon() {
        if (queued.compareAndSet(false, true)) {
            submit(() -> {
                queued.set(false);
                evaluateSafely();
            });
        }
    }

    private void submit(Runnable r) {
        try {
            timer.execute(r);
        } catch (RejectedExecutionException closed) {
            // closed meanwhile
        }
    }

    private void evaluateSafely() {
        try {
            evaluate();
        } catch (IllegalStateException gone) {
            close(); // our bundle stopped: its context is no longer valid
        } catch (RuntimeException e) {
            out.warn("self-check: evaluation failed: " + e);
        }
    }

    private void evaluate() {
        if (context.getBundle(0).getState() != Bundle.ACTIVE) {
            return; // starting or shutting down: not our business
        }
        ServiceReference<ServiceComponentRuntime> ref = context.getServiceReference(ServiceComponentRuntime.class);
        ServiceComponentRuntime scr = ref == null ? null : context.getService(ref);
        try {
            List<String> problems = problems(scr);
            if (problems.isEmpty()) {
                healthy(scr);
            } else {
                unhealthy(scr, problems);
            }
        } finally {
            if (scr != null) {
                context.ungetService(ref);
            }
        }
    }

    private void healthy(ServiceComponentRuntime scr) {
        if (downSinceNanos >= 0) {
            out.info("self-check: the core is running again" + (restored ? " after the restore" : ""));
        }
        downSinceNanos = -1;
        restored = false;
        if (scr == null) {
            return;
        }
        if (changed.getAndSet(false)) {
            learn(scr);
        }
        if (orphan && context.getServiceReference(SelfCheck.class) != null) {
            out.info("self-check: a new self-check runs; this watch ends");
            close();
        }
    }

    private void unhealthy(ServiceComponentRuntime scr, List<String> problems) {
        long now = System.nanoTime();
        if (downSinceNanos < 0) {
            downSinceNanos = now;
            out.warn("self-check: " + String.join("; ", problems) + " — restoring in " + settings.graceMs()
                    + " ms unless it recovers");
            timer.schedule(this::evaluateSafely, settings.graceMs(), TimeUnit.MILLISECONDS);
            return;
        }
        if (now - downSinceNanos < TimeUnit.MILLISECONDS.toNanos(settings.graceMs())) {
            return;
        }
        if (!restored) {
            restore(scr);
            restored = true;
            downSinceNanos = now;
            timer.schedule(this::evaluateSafely, settings.graceMs(), TimeUnit.MILLISECONDS);
            return;
        }
        String message = "self-check: " + String.join("; ", problems) + " — still down " + settings.graceMs()
                + " ms after the restore; exiting with status " + settings.exitStatus()
                + " so the service manager restarts the gateway";
        out.error(message);
        System.err.println("isthmus: " + message);
        System.err.flush();
        exit.accept(settings.exitStatus()); // the JVM's shutdown hook stops the framework, and with it this watch
        close();
    }

    /** What is wrong with the core learned so far; empty: healthy. */
    private List<String> problems(ServiceComponentRuntime scr) {
        List<String> problems = new ArrayList<>();
        Collection<ComponentDescriptionDTO> components = null; // read only when a service is missing
        for (Map.Entry<Long, Set<String>> e : new TreeMap<>(roles).entrySet()) {
            Bundle b = context.getBundle(e.getKey());
            if (b == null) {
                roles.remove(e.getKey());
                continue;
            }
            if (b.getState() != Bundle.ACTIVE) {
                problems.add(b.getSymbolicName() + " is " + BundleState.of(b.getState()));
                continue;
            }
            if (scr == null) {
                continue;
            }
            for (String role : e.getValue()) {
                if (registers(b, role)) {
                    continue; // DS registers a component's service while it is satisfied: no DTOs needed
                }
                components = components == null ? scr.getComponentDescriptionDTOs() : components;
                List<ComponentDescriptionDTO> providers = providers(components, b.getBundleId(), role);
                if (providers.stream().noneMatch(d -> satisfied(scr, d))) {
                    problems.add(b.getSymbolicName() + ": no running component provides " + simple(role)
                            + providers.stream().map(d -> " (" + d.name + ": " + why(scr, d) + ")")
                                    .collect(Collectors.joining()));
                }
            }
        }
        if (scr == null && !roles.isEmpty()) {
            problems.add("no Declarative Services runtime (ServiceComponentRuntime) is registered");
        }
        return problems;
    }

    private void learn(ServiceComponentRuntime scr) {
        List<String> learned = new ArrayList<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            for (Protection.Role role : Protection.ROLES) {
                if (Arrays.asList(d.serviceInterfaces).contains(role.service()) && satisfied(scr, d)
                        && roles.computeIfAbsent(d.bundle.id, id -> new LinkedHashSet<>()).add(role.service())) {
                    learned.add(d.name + " (" + simple(role.service()) + ")");
                }
            }
        }
        if (!learned.isEmpty()) {
            out.info("self-check: watching " + String.join(", ", learned));
        }
        needed = Protection.derive(context, scr).keySet();
    }

    /** Starts every core or protected bundle that is not running; enables the core components that are disabled. */
    private void restore(ServiceComponentRuntime scr) {
        Set<Long> ids = new TreeSet<>(needed);
        ids.addAll(roles.keySet());
        ids.remove(0L);
        for (long id : ids) {
            Bundle b = context.getBundle(id);
            if (b == null || b.getHeaders("").get(Constants.FRAGMENT_HOST) != null
                    || (b.getState() != Bundle.RESOLVED && b.getState() != Bundle.INSTALLED)) {
                continue;
            }
            String was = BundleState.of(b.getState()).name();
            try {
                b.start();
                out.warn("self-check: started " + b.getSymbolicName() + " (was " + was + ")");
            } catch (BundleException | IllegalStateException e) {
                out.error("self-check: cannot start " + b.getSymbolicName() + ": " + e.getMessage());
            }
        }
        if (scr == null) {
            return;
        }
        Collection<ComponentDescriptionDTO> components = scr.getComponentDescriptionDTOs();
        for (Map.Entry<Long, Set<String>> e : roles.entrySet()) {
            for (String role : e.getValue()) {
                for (ComponentDescriptionDTO d : providers(components, e.getKey(), role)) {
                    if (!scr.isComponentEnabled(d)) {
                        scr.enableComponent(d);
                        out.warn("self-check: enabled component " + d.name);
                    }
                }
            }
        }
    }

    /** Whether {@code bundle} has a service of {@code role} registered now (a registry lookup, no DTOs). */
    private boolean registers(Bundle bundle, String role) {
        ServiceReference<?>[] refs;
        try {
            refs = context.getAllServiceReferences(role, null); // all: the runtime need not import the role's package
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (refs != null) {
            for (ServiceReference<?> r : refs) {
                if (bundle.equals(r.getBundle())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<ComponentDescriptionDTO> providers(Collection<ComponentDescriptionDTO> components, long bundle,
            String role) {
        return components.stream().filter(d -> d.bundle.id == bundle
                && Arrays.asList(d.serviceInterfaces).contains(role)).toList();
    }

    private static boolean satisfied(ServiceComponentRuntime scr, ComponentDescriptionDTO d) {
        return scr.isComponentEnabled(d) && scr.getComponentConfigurationDTOs(d).stream()
                .anyMatch(c -> c.state == SATISFIED || c.state == ACTIVE);
    }

    private static String why(ServiceComponentRuntime scr, ComponentDescriptionDTO d) {
        if (!scr.isComponentEnabled(d)) {
            return "disabled";
        }
        List<String> reasons = new ArrayList<>();
        for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
            switch (c.state) {
                case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> reasons.add("unsatisfied reference "
                        + Arrays.stream(c.unsatisfiedReferences).map(u -> u.name)
                                .collect(Collectors.joining(", ")));
                case ComponentConfigurationDTO.FAILED_ACTIVATION -> reasons.add("activation failed: "
                        + c.failure);
                case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> reasons.add("no configuration");
                default -> reasons.add("state " + c.state);
            }
        }
        return reasons.isEmpty() ? "no configuration" : String.join(", ", reasons);
    }

    private static String simple(String service) {
        return service.substring(service.lastIndexOf('.') + 1);
    }


    @Override
    public void close() {
        try {
            context.removeBundleListener(this);
            context.removeServiceListener(this);
        } catch (IllegalStateException stopped) {
            // the bundle's listeners went with it
        }
        timer.shutdownNow();
    }
}
