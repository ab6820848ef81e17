package io.isthmus.launcher;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;

/**
 * Waits for the runtime bundle's readiness service (by class name: the launcher does not share the API)
 * and hands over its properties: {@code isthmus.state} ready or failed, {@code isthmus.message}.
 */
final class ReadyWatcher implements ServiceListener {
    static final String READINESS = "io.isthmus.api.runtime.Readiness";

    private final BundleContext system;
    private final CompletableFuture<Map<String, Object>> result = new CompletableFuture<>();

    ReadyWatcher(BundleContext system) {
        this.system = system;
    }

    CompletableFuture<Map<String, Object>> install() throws LaunchException {
        try {
            system.addServiceListener(this, "(objectClass=" + READINESS + ")");
        } catch (InvalidSyntaxException e) {
            throw new LaunchException("internal: " + e.getMessage(), e);
        }
        return result;
    }

    void remove() {
        system.removeServiceListener(this);
    }

    @Override
    public void serviceChanged(ServiceEvent event) {
        if (event.getType() == ServiceEvent.REGISTERED || event.getType() == ServiceEvent.MODIFIED) {
            result.complete(properties(event.getServiceReference()));
        }
    }

    private static Map<String, Object> properties(ServiceReference<?> ref) {
        Map<String, Object> props = new HashMap<>();
        for (String key : ref.getPropertyKeys()) {
            props.put(key, ref.getProperty(key));
        }
        return props;
    }
}
