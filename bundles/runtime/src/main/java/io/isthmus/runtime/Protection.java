package io.isthmus.runtime;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.SatisfiedReferenceDTO;
import org.osgi.framework.dto.ServiceReferenceDTO;

/**
 * Derives the protected bundles from the running framework: the roots (the framework, the bundles whose components
 * provide the core services, the self-check's own bundle), then breadth first everything a protected bundle needs —
 * the providers of its wires (packages, the DS extender, …), the fragments attached to it, and the providers of the
 * services its satisfied components reference mandatorily. Breadth first, so each reason names the shortest path.
 */
final class Protection {
    /** Core services, most important first: a bundle providing one of them is a root, with this role. */
    static final List<Role> ROLES = List.of(
            new Role("io.isthmus.api.mgmt.ManagementSession", "the management agent"),
            new Role("io.isthmus.api.config.ConfigService", "the config service"),
            new Role("io.isthmus.api.config.SectionApplier", "applies the network document (data plane)"));
    static final String SELF_ROLE = "the self-check that keeps the core running";

    record Role(String service, String what) {
    }

    private Protection() {
    }

    /** Bundle id to why it is protected, in the order found (roots first). */
    static Map<Long, String> derive(BundleContext context, ServiceComponentRuntime scr) {
        Map<Long, String> why = new LinkedHashMap<>();
        Deque<Bundle> queue = new ArrayDeque<>();
        Bundle framework = context.getBundle(0);
        root(why, queue, framework, "the framework");
        ComponentDescriptionDTO[] descriptions = scr.getComponentDescriptionDTOs().toArray(
                new ComponentDescriptionDTO[0]);
        for (Role role : ROLES) {
            for (ComponentDescriptionDTO d : descriptions) {
                if (Arrays.asList(d.serviceInterfaces).contains(role.service())) {
                    Optional.ofNullable(context.getBundle(d.bundle.id)).ifPresent(b -> root(why, queue, b,
                            role.what()));
                }
            }
        }
        root(why, queue, context.getBundle(), SELF_ROLE);
        while (!queue.isEmpty()) {
            Bundle b = queue.poll();
            BundleWiring wiring = b.adapt(BundleWiring.class);
            if (wiring != null) {
                for (BundleWire w : wiring.getRequiredWires(null)) {
                    need(why, queue, w.getProvider().getBundle(), b, describe(w));
                }
                for (BundleWire w : wiring.getProvidedWires(BundleRevision.HOST_NAMESPACE)) {
                    Bundle fragment = w.getRequirer().getBundle();
                    add(why, queue, fragment, fragment.getSymbolicName() + " is a fragment of " + b.getSymbolicName());
                }
            }
            for (ComponentDescriptionDTO d : descriptions) {
                if (d.bundle.id != b.getBundleId()) {
                    continue;
                }
                Map<String, ReferenceDTO> references = new LinkedHashMap<>();
                for (ReferenceDTO r : d.references) {
                    references.put(r.name, r);
                }
                for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                    for (SatisfiedReferenceDTO s : c.satisfiedReferences) {
                        ReferenceDTO r = references.get(s.name);
                        if (r == null || !r.cardinality.startsWith("1")) {
                            continue; // optional: the component runs without it
                        }
                        for (ServiceReferenceDTO bound : s.boundServices) {
                            Bundle provider = context.getBundle(bound.bundle);
                            if (provider != null) {
                                need(why, queue, provider, b, "service " + r.interfaceName);
                            }
                        }
                    }
                }
            }
        }
        return why;
    }

    private static void root(Map<Long, String> why, Deque<Bundle> queue, Bundle b, String role) {
        add(why, queue, b, b.getSymbolicName() + (role.startsWith("applies") ? " " : " is ") + role);
    }

    private static void need(Map<Long, String> why, Deque<Bundle> queue, Bundle provider, Bundle requirer,
            String what) {
        if (provider.getBundleId() != requirer.getBundleId()) {
            add(why, queue, provider, provider.getSymbolicName() + " is needed by " + requirer.getSymbolicName()
                    + " (" + what + ")");
        }
    }

    private static void add(Map<Long, String> why, Deque<Bundle> queue, Bundle b, String reason) {
        if (b.getState() != Bundle.UNINSTALLED && why.putIfAbsent(b.getBundleId(), reason) == null) {
            queue.add(b);
        }
    }

    static String describe(BundleWire w) {
        String namespace = w.getCapability().getNamespace();
        Object value = w.getCapability().getAttributes().get(namespace);
        return switch (namespace) {
            case "osgi.wiring.package" -> "package " + value;
            case "osgi.wiring.bundle" -> "Require-Bundle";
            case "osgi.wiring.host" -> "fragment host";
            case "osgi.extender" -> "extender " + value + ("osgi.component".equals(value)
                    ? ": the Declarative Services runtime" : "");
            default -> value == null ? namespace : namespace + " " + value;
        };
    }
}
