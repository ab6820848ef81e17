package io.isthmus.itests.deploybundle;

import io.isthmus.api.deploy.HealthCheck;
import java.util.Optional;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/** A good probe bundle: starts and registers a passing health check. */
public class ProbeActivator implements BundleActivator {
    @Override
    public void start(BundleContext context) {
        HealthCheck ok = Optional::empty;
        context.registerService(HealthCheck.class, ok, null);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the health check
    }
}
