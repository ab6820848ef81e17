package io.isthmus.runtime;

import io.isthmus.api.config.ApplyResult;
import io.isthmus.api.config.ConfigService;
import io.isthmus.api.config.ValidationError;
import io.isthmus.api.runtime.Readiness;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Publishes {@link Readiness} once the boot document was handled and nothing is pending; or, when the
 * boot document was rejected, publishes the failure so the launcher can exit with the reason. Re-evaluates
 * on every bundle or service event until ready.
 */
@Component(immediate = true, service = {})
public class ReadinessPublisher implements BundleListener, ServiceListener {
    static final long REPORT_AFTER_S = 10;

    private final BundleContext context;
    private final ConfigService config;
    private final ServiceComponentRuntime scr;
    private final Logger log;
    // one thread: evaluations never race, and events arriving while we evaluate are simply queued
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "isthmus-readiness"));
    private final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "isthmus-readiness-report"));
    private volatile boolean booted;
    private volatile String bootMessage = "";
    private ServiceRegistration<Readiness> registration;

    @Activate
    public ReadinessPublisher(BundleContext context, @Reference(name = "config") ConfigService config,
            @Reference(name = "scr") ServiceComponentRuntime scr,
            @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this.context = context;
        this.config = config;
        this.scr = scr;
        this.log = log;
        context.addBundleListener(this);
        context.addServiceListener(this);
        config.bootApplied().whenComplete((result, error) -> worker.execute(() -> booted(result, error)));
        reporter.schedule(() -> worker.execute(this::reportPending), REPORT_AFTER_S, TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() {
        context.removeBundleListener(this);
        context.removeServiceListener(this);
        reporter.shutdownNow();
        worker.shutdownNow();
        synchronized (this) {
            if (registration != null) {
                try {
                    registration.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // the framework is stopping
                }
                registration = null;
            }
        }
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        evaluateLater();
    }

    @Override
    public void serviceChanged(ServiceEvent event) {
        evaluateLater();
    }

    private void evaluateLater() {
        if (booted && registration == null && !worker.isShutdown()) {
            try {
                worker.execute(this::evaluate);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                // deactivated meanwhile
            }
        }
    }

    private void booted(ApplyResult result, Throwable error) {
        if (error != null) {
            publish(Readiness.FAILED, "boot document not applied: " + error);
            return;
        }
        if (result instanceof ApplyResult.Rejected rejected) {
            if (config.current().isEmpty()) {
                publish(Readiness.FAILED, describe(rejected.errors()));
                return;
            }
            // the config service kept (or, on a first boot, fell back to) a generation: the gateway runs on it
            bootMessage = describe(rejected.errors()) + "; running generation " + config.current().get().number();
            log.warn("boot document rejected: " + bootMessage);
        }
        if (result instanceof ApplyResult.RolledBack rolledBack) {
            bootMessage = "boot document rolled back: " + rolledBack.reason();
            log.warn(bootMessage);
        }
        booted = true;
        evaluate();
    }

    /** One line naming the file and its first problems, e.g. {@code /etc/n.json: /ports/eth0/kind: …}. */
    private String describe(List<ValidationError> errors) {
        String file = context.getProperty(ConfigService.CONFIG_FILE);
        String prefix = file == null ? "" : file + ": ";
        if (errors.isEmpty()) {
            return prefix + "rejected";
        }
        ValidationError e = errors.get(0);
        // an unreadable file is an error of the whole document that names the file itself
        String first = e.pointer().isEmpty() && file != null && e.message().startsWith(file + ": ") ? e.message()
                .substring(file.length() + 2) : e.toString();
        return errors.size() == 1 ? prefix + first : prefix + first + " (and " + (errors.size() - 1) + " more)";
    }

    private synchronized void evaluate() {
        if (registration != null) {
            return;
        }
        Pending pending = pending();
        if (pending.none()) {
            publish(Readiness.READY, bootMessage);
        }
    }

    private void reportPending() {
        if (registration == null) {
            log.warn(booted ? "not ready yet: " + pending() : "not ready yet: boot document not applied");
        }
    }

    private Pending pending() {
        List<Pending.BundleView> bundles = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            bundles.add(new Pending.BundleView(b.getSymbolicName(), b.getState(),
                    b.getHeaders().get(Constants.FRAGMENT_HOST) != null));
        }
        List<Pending.ComponentView> components = new ArrayList<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            List<Integer> states = new ArrayList<>();
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                states.add(c.state);
            }
            components.add(new Pending.ComponentView(d.name, scr.isComponentEnabled(d),
                    "require".equals(d.configurationPolicy), states));
        }
        return Pending.of(bundles, components);
    }

    private synchronized void publish(String state, String message) {
        if (registration != null) {
            return;
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Readiness.STATE, state);
        props.put(Readiness.MESSAGE, message);
        registration = context.registerService(Readiness.class, new Readiness() { }, props);
        if (Readiness.READY.equals(state)) {
            log.info("ready" + (message.isEmpty() ? "" : ": " + message));
        } else {
            log.error("not ready: " + message);
        }
    }
}
