package io.isthmus.mgmt.commands;

import io.isthmus.api.runtime.BundleState;
import io.isthmus.api.json.JsonValue;
import io.isthmus.mgmt.dispatch.BadRequest;
import io.isthmus.mgmt.dispatch.NotFound;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;

/** Bundles as the bundle commands show and find them. */
final class BundleView {
    private BundleView() {
    }

    static Map<String, Object> describe(Bundle b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", b.getBundleId());
        m.put("symbolicName", b.getSymbolicName());
        m.put("version", b.getVersion().toString());
        m.put("state", BundleState.of(b.getState()).name());
        return m;
    }


    /** {@code "bundle"}: an id or a symbolic name. */
    static Bundle find(BundleContext context, Map<String, Object> request) {
        Object which = request.get("bundle");
        Optional<Bundle> found;
        if (which instanceof Integer || which instanceof Long) {
            found = Optional.ofNullable(context.getBundle(((Number) which).longValue()));
        } else if (which instanceof String name) {
            found = java.util.Arrays.stream(context.getBundles()).filter(b -> name.equals(b.getSymbolicName()))
                    .findFirst();
        } else {
            throw new BadRequest("/bundle", which == null ? "missing: expected a bundle id or symbolic name"
                    : "expected a bundle id or symbolic name, got " + JsonValue.root(which).describe());
        }
        return found.orElseThrow(() -> new NotFound("/bundle", "no bundle " + which + " is installed"));
    }

    /** Bundles that must not be stopped over MQTT: the framework, and the agent that would answer. */
    static Optional<String> untouchable(BundleContext context, Bundle b) {
        if (b.getBundleId() == 0 || Constants.SYSTEM_BUNDLE_SYMBOLICNAME.equals(b.getSymbolicName())) {
            return Optional.of("the framework itself cannot be stopped remotely");
        }
        if (b.getBundleId() == context.getBundle().getBundleId()) {
            return Optional.of("stopping the management agent would cut this very channel");
        }
        return Optional.empty();
    }
}
