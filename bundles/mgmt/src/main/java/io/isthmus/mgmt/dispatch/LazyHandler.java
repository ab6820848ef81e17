package io.isthmus.mgmt.dispatch;

import io.isthmus.api.mgmt.CommandHandler;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * A command handler service, fetched on its first request and released when it goes: handlers may use the
 * agent's own services, so fetching them while the agent binds them (during its activation) would be a cycle.
 */
public final class LazyHandler implements Supplier<CommandHandler> {
    private final BundleContext context;
    public final ServiceReference<CommandHandler> reference;
    private CommandHandler handler;

    public LazyHandler(BundleContext context, ServiceReference<CommandHandler> reference) {
        this.context = context;
        this.reference = reference;
    }

    @Override
    public synchronized CommandHandler get() {
        if (handler == null) {
            handler = context.getService(reference);
            if (handler == null) {
                throw new IllegalStateException("the handler's bundle has stopped");
            }
        }
        return handler;
    }

    public synchronized void release() {
        if (handler != null) {
            handler = null;
            context.ungetService(reference);
        }
    }
}
