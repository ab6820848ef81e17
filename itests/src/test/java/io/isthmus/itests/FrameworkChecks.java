package io.isthmus.itests;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Checks that run inside the framework (in the Pax Exam probe). Each returns one readable line per problem, so
 * that an assertion message says what is wrong: the bundle and its unresolved requirement, the component and its
 * unsatisfied reference.
 */
final class FrameworkChecks {
    private FrameworkChecks() {
    }

    /**
     * Every bundle must be ACTIVE (a fragment RESOLVED). For an unresolved bundle, names the requirements that no
     * installed bundle can satisfy, else the framework's own resolution message.
     */
    static List<String> bundleProblems(BundleContext context) {
        List<String> problems = new ArrayList<>();
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        for (Bundle bundle : context.getBundles()) {
            boolean fragment = isFragment(bundle);
            int state = bundle.getState();
            if (state == Bundle.ACTIVE || (fragment && state == Bundle.RESOLVED)) {
                continue;
            }
            String name = describe(bundle);
            if (state == Bundle.INSTALLED) {
                problems.add(name + " is not resolved: " + unresolved(bundle, wiring));
            } else if (state == Bundle.RESOLVED) {
                problems.add(name + " is resolved but not active: " + whyNotStarted(bundle));
            } else {
                problems.add(name + " is " + stateName(state) + ", expected " + (fragment ? "RESOLVED" : "ACTIVE"));
            }
        }
        return problems;
    }

    /**
     * Every enabled DS component must have every configuration SATISFIED or ACTIVE. A component whose
     * configuration policy is {@code require} may wait for a configuration only when Configuration Admin holds none
     * for its PIDs (nobody asked for it, e.g. factory configurations); with one there, it must be satisfied too.
     */
    static List<String> componentProblems(ServiceComponentRuntime scr, ConfigurationAdmin cm) {
        List<String> problems = new ArrayList<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            String name = d.name + " (bundle " + d.bundle.symbolicName + ")";
            if (!scr.isComponentEnabled(d)) {
                continue;
            }
            Collection<ComponentConfigurationDTO> configurations = scr.getComponentConfigurationDTOs(d);
            if (configurations.isEmpty()) {
                if ("require".equals(d.configurationPolicy) && !hasConfiguration(cm, d.configurationPid)) {
                    continue;
                }
                problems.add(name + " has no component configuration (configuration policy "
                        + d.configurationPolicy + ", PIDs " + Arrays.toString(d.configurationPid) + ")");
                continue;
            }
            for (ComponentConfigurationDTO c : configurations) {
                if (c.state == ComponentConfigurationDTO.SATISFIED || c.state == ComponentConfigurationDTO.ACTIVE) {
                    continue;
                }
                StringBuilder sb = new StringBuilder(name).append(" is ").append(componentState(c.state));
                for (UnsatisfiedReferenceDTO u : c.unsatisfiedReferences) {
                    sb.append("; unsatisfied reference ").append(u.name).append(" to ")
                            .append(referenceInterface(d, u.name))
                            .append(u.target == null ? "" : " with target " + u.target);
                }
                if (c.failure != null) {
                    sb.append("; failure: ").append(c.failure.lines().findFirst().orElse(""));
                }
                problems.add(sb.toString());
            }
        }
        return problems;
    }

    /**
     * The features' configurations must be in Configuration Admin as the features give them, and every component
     * configured by one of these PIDs must run with those values.
     *
     * @param expected by PID, the properties as {@link #encode} wrote them
     */
    static List<String> configurationProblems(ServiceComponentRuntime scr, ConfigurationAdmin cm,
            Map<String, String> expected) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String pid = e.getKey();
            Map<String, String> want = decode(e.getValue());
            Configuration[] found;
            try {
                found = cm.listConfigurations("(" + Constants.SERVICE_PID + "=" + pid + ")");
            } catch (IOException | InvalidSyntaxException ex) {
                throw new IllegalStateException("cannot list configurations of " + pid, ex);
            }
            if (found == null || found.length == 0) {
                problems.add(pid + ": no configuration in Configuration Admin");
                continue;
            }
            Dictionary<String, Object> held = found[0].getProperties();
            want.forEach((key, value) -> {
                if (!value.equals(valueString(held.get(key)))) {
                    problems.add(pid + ": Configuration Admin holds " + key + "=" + valueString(held.get(key))
                            + ", the features say " + value);
                }
            });
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
                if (d.configurationPid == null || !Arrays.asList(d.configurationPid).contains(pid)) {
                    continue;
                }
                for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                    want.forEach((key, value) -> {
                        if (!value.equals(valueString(c.properties.get(key)))) {
                            problems.add(d.name + " runs with " + key + "=" + valueString(c.properties.get(key))
                                    + ", the features give " + pid + " " + key + "=" + value);
                        }
                    });
                }
            }
        }
        return problems;
    }

    /** Configuration properties as one line per key, {@code key=value} (arrays as {@code [a, b]}). */
    static String encode(Map<String, Object> properties) {
        return properties.entrySet().stream().map(e -> e.getKey() + "=" + valueString(e.getValue()))
                .collect(Collectors.joining("\n"));
    }

    static Map<String, String> decode(String encoded) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String line : encoded.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                result.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return result;
    }

    /** The first service matching {@code filter} within {@code timeoutMs}, or null. */
    static <T> ServiceReference<T> awaitService(BundleContext context, String filter, long timeoutMs)
            throws InterruptedException {
        Filter f;
        try {
            f = FrameworkUtil.createFilter(filter);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(filter, e);
        }
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, f, null);
        tracker.open(true);
        try {
            tracker.waitForService(timeoutMs);
            return tracker.getServiceReference();
        } finally {
            tracker.close();
        }
    }

    /** The single service of {@code type}, failing when there is none. */
    static <T> T service(BundleContext context, Class<T> type) {
        ServiceReference<T> ref = context.getServiceReference(type);
        if (ref == null) {
            throw new AssertionError("no " + type.getName() + " service");
        }
        return context.getService(ref);
    }

    static Bundle bundle(BundleContext context, String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName + " installed; bundles: " + Arrays
                .stream(context.getBundles()).map(Bundle::getSymbolicName).collect(Collectors.joining(", ")));
    }

    static String properties(ServiceReference<?> ref) {
        return Arrays.stream(ref.getPropertyKeys()).sorted()
                .map(k -> k + "=" + valueString(ref.getProperty(k))).collect(Collectors.joining(", ", "{", "}"));
    }

    private static String valueString(Object v) {
        return v instanceof Object[] a ? Arrays.toString(a) : String.valueOf(v);
    }

    private static String unresolved(Bundle bundle, FrameworkWiring wiring) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        List<String> missing = new ArrayList<>();
        if (revision != null) {
            for (BundleRequirement req : revision.getDeclaredRequirements(null)) {
                String resolution = req.getDirectives().get(Constants.RESOLUTION_DIRECTIVE);
                if (Constants.RESOLUTION_OPTIONAL.equals(resolution)) {
                    continue;
                }
                Collection<BundleCapability> providers = wiring.findProviders(req);
                if (providers.isEmpty()) {
                    missing.add("missing " + req.getNamespace() + " " + req.getDirectives().get(Constants.FILTER_DIRECTIVE));
                }
            }
        }
        if (!missing.isEmpty()) {
            return String.join("; ", missing);
        }
        // every requirement has a candidate, yet it does not resolve (e.g. a uses conflict): ask the framework
        return whyNotStarted(bundle);
    }

    /** The framework's reason, from a transient start attempt (only ever called on a bundle that failed already). */
    private static String whyNotStarted(Bundle bundle) {
        if (isFragment(bundle)) {
            return "fragment not attached";
        }
        try {
            bundle.start(Bundle.START_TRANSIENT);
            return "it started only when asked again (state " + stateName(bundle.getState()) + ")";
        } catch (BundleException | IllegalStateException e) {
            return e.getMessage();
        }
    }

    private static boolean hasConfiguration(ConfigurationAdmin cm, String[] pids) {
        if (cm == null || pids == null) {
            return false;
        }
        for (String pid : pids) {
            try {
                Configuration[] found = cm.listConfigurations("(|(service.pid=" + pid + ")(service.factoryPid=" + pid
                        + "))");
                if (found != null && found.length > 0) {
                    return true;
                }
            } catch (IOException | InvalidSyntaxException e) {
                throw new IllegalStateException("cannot list configurations of " + pid, e);
            }
        }
        return false;
    }

    private static String referenceInterface(ComponentDescriptionDTO d, String reference) {
        for (ReferenceDTO r : d.references) {
            if (r.name.equals(reference)) {
                return r.interfaceName + " (" + r.cardinality + ")";
            }
        }
        return "?";
    }

    private static boolean isFragment(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        return revision != null ? (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0
                : bundle.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
    }

    private static String describe(Bundle bundle) {
        return bundle.getSymbolicName() + " " + bundle.getVersion() + " [" + bundle.getBundleId() + "]";
    }

    static String stateName(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "state " + state;
        };
    }

    private static String componentState(int state) {
        return switch (state) {
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> "UNSATISFIED_CONFIGURATION";
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> "UNSATISFIED_REFERENCE";
            case ComponentConfigurationDTO.SATISFIED -> "SATISFIED";
            case ComponentConfigurationDTO.ACTIVE -> "ACTIVE";
            case ComponentConfigurationDTO.FAILED_ACTIVATION -> "FAILED_ACTIVATION";
            default -> "state " + state;
        };
    }

    static String lines(List<String> problems) {
        return problems.stream().collect(Collectors.joining("\n  ", "\n  ", ""));
    }
}
