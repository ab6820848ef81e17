package io.isthmus.runtime;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The runtime self-check (docs/running.md): keeps the management agent, the config service and the appliers
 * running when something stops them behind the gateway's back (the Gogo shell, a bundle left RESOLVED, the DS
 * runtime stopped). Restores them, or ends the JVM with a non-zero status so the service manager restarts the
 * gateway. Registered as a service so a watch left behind by a deactivated self-check knows when a new one runs.
 *
 * <p>Framework properties (or system properties): {@code isthmus.selfcheck.graceMs} (10000) how long the core
 * may be down before the self-check acts, {@code isthmus.selfcheck.pollMs} (5000) the slow poll,
 * {@code isthmus.selfcheck.exitStatus} (70) the exit status when restoring fails.
 */
@Component(immediate = true, service = SelfCheck.class)
public class SelfCheck {
    static final long GRACE_MS = 10000;
    static final long POLL_MS = 5000;
    static final int EXIT_STATUS = 70;

    private final BundleContext context;
    private final Watch watch;

    @Activate
    public SelfCheck(BundleContext context, @Reference(service = LoggerFactory.class) Logger log) {
        this.context = context;
        Watch.Settings settings = new Watch.Settings(property(context, "graceMs", GRACE_MS),
                property(context, "pollMs", POLL_MS), (int) property(context, "exitStatus", EXIT_STATUS));
        this.watch = new Watch(context, settings, new Watch.Out() {
            @Override
            public void info(String message) {
                quietly(() -> log.info(message), message);
            }

            @Override
            public void warn(String message) {
                quietly(() -> log.warn(message), message);
            }

            @Override
            public void error(String message) {
                quietly(() -> log.error(message), message);
            }
        }, System::exit);
        watch.start();
    }

    /**
     * Deactivated while the framework and this bundle run on: the DS runtime (or the log service it needs) is
     * going away, which is exactly what the self-check is for. Its watch stays and brings them back.
     */
    @Deactivate
    void deactivate() {
        boolean frameworkRuns = context.getBundle(0).getState() == Bundle.ACTIVE;
        boolean bundleRuns = context.getBundle().getState() == Bundle.ACTIVE;
        if (frameworkRuns && bundleRuns) {
            watch.orphan();
        } else {
            watch.close();
        }
    }

    /** The log service may be the very thing that went away: then the console (the journal) says it. */
    private void quietly(Runnable logging, String message) {
        try {
            logging.run();
        } catch (RuntimeException e) {
            System.err.println("isthmus: " + message);
            return;
        }
        if (watch != null && watch.orphaned()) {
            System.err.println("isthmus: " + message);
        }
    }

    private static long property(BundleContext context, String name, long fallback) {
        String value = context.getProperty("isthmus.selfcheck." + name);
        try {
            return value == null ? fallback : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
