package io.isthmus.deploy;

import io.isthmus.api.runtime.BundleState;
import io.isthmus.api.deploy.HealthCheck;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * The health of changed bundles right now: each ACTIVE, each of its enabled DS components satisfied, each of its
 * own {@link HealthCheck} services passing. Empty means healthy; otherwise the first reason.
 */
final class Health {
    private final BundleContext context;
    private final Supplier<Optional<ServiceComponentRuntime>> scr;

    Health(BundleContext context, Supplier<Optional<ServiceComponentRuntime>> scr) {
        this.context = context;
        this.scr = scr;
    }

    Optional<String> problem(Collection<Bundle> bundles) {
        for (Bundle b : bundles) {
            Optional<String> p = problem(b);
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }

    Optional<String> problem(Bundle b) {
        if (b.getState() != Bundle.ACTIVE) {
            return Optional.of("bundle " + b.getSymbolicName() + " is " + BundleState.of(b.getState())
                    + ", not ACTIVE");
        }
        Optional<ServiceComponentRuntime> runtime = scr.get();
        if (runtime.isPresent()) {
            for (ComponentDescriptionDTO d : runtime.get().getComponentDescriptionDTOs(b)) {
                if (!runtime.get().isComponentEnabled(d)) {
                    continue;
                }
                for (ComponentConfigurationDTO c : runtime.get().getComponentConfigurationDTOs(d)) {
                    if (c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE) {
                        List<String> refs = new ArrayList<>();
                        for (UnsatisfiedReferenceDTO u : c.unsatisfiedReferences) {
                            refs.add(u.name);
                        }
                        return Optional.of("component " + d.name + " not satisfied (missing reference "
                                + String.join(", ", refs) + ")");
                    }
                    if (c.state == ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION) {
                        return Optional.of("component " + d.name + " not satisfied (no configuration)");
                    }
                    if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                        return Optional.of("component " + d.name + " failed to activate: " + c.failure);
                    }
                }
            }
        }
        for (ServiceReference<HealthCheck> ref : healthChecks()) {
            if (!b.equals(ref.getBundle())) {
                continue;
            }
            HealthCheck check = context.getService(ref);
            if (check == null) {
                continue;
            }
            try {
                Optional<String> failed = check.check();
                if (failed.isPresent()) {
                    return Optional.of("health check of " + b.getSymbolicName() + ": " + failed.get());
                }
            } catch (RuntimeException e) {
                return Optional.of("health check of " + b.getSymbolicName() + " threw " + e);
            } finally {
                context.ungetService(ref);
            }
        }
        return Optional.empty();
    }

    private Collection<ServiceReference<HealthCheck>> healthChecks() {
        try {
            return context.getServiceReferences(HealthCheck.class, null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

}
