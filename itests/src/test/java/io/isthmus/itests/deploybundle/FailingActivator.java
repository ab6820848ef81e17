package io.isthmus.itests.deploybundle;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/** A bad probe bundle: its activation fails. */
public class FailingActivator implements BundleActivator {
    @Override
    public void start(BundleContext context) {
        throw new IllegalStateException("probe refuses to start");
    }

    @Override
    public void stop(BundleContext context) {
        // never started
    }
}
