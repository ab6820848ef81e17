package io.isthmus.deploy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * Would the jar resolve in the running framework, without installing it? Every mandatory Import-Package,
 * Require-Bundle and Require-Capability (effective resolve) must find a provider among the resolved bundles (the
 * bundle being replaced counts only through the new jar's own exports). And which other bundles use packages of the
 * bundle being replaced that the new jar no longer exports in a matching version (they would need a refresh)?
 */
final class ResolveCheck {
    private ResolveCheck() {
    }

    static void resolvable(BundleContext context, Candidate c, Optional<Bundle> replacing) throws Refused {
        List<Map<String, Object>> ownExports = exports(c);
        List<String> missing = new ArrayList<>();
        for (Headers.Clause clause : Headers.parse(c.header(Constants.IMPORT_PACKAGE))) {
            if ("optional".equals(clause.directives().get(Constants.RESOLUTION_DIRECTIVE))) {
                continue;
            }
            VersionRange range = new VersionRange(clause.attributes().getOrDefault(Constants.VERSION_ATTRIBUTE, "0"));
            for (String pkg : clause.names()) {
                Filter f = filter("(&(" + PackageNamespace.PACKAGE_NAMESPACE + "=" + pkg + ")"
                        + range.toFilterString(PackageNamespace.CAPABILITY_VERSION_ATTRIBUTE) + ")");
                boolean own = ownExports.stream().anyMatch(f::matches);
                if (!own && !provided(context, PackageNamespace.PACKAGE_NAMESPACE, f, replacing)) {
                    missing.add("package " + pkg + " " + range);
                }
            }
        }
        for (Headers.Clause clause : Headers.parse(c.header(Constants.REQUIRE_BUNDLE))) {
            if ("optional".equals(clause.directives().get(Constants.RESOLUTION_DIRECTIVE))) {
                continue;
            }
            VersionRange range = new VersionRange(clause.attributes().getOrDefault(
                    Constants.BUNDLE_VERSION_ATTRIBUTE, "0"));
            for (String name : clause.names()) {
                boolean found = false;
                for (Bundle b : context.getBundles()) {
                    found |= name.equals(b.getSymbolicName()) && range.includes(b.getVersion()) && usable(b, replacing);
                }
                if (!found) {
                    missing.add("bundle " + name + " " + range);
                }
            }
        }
        for (Headers.Clause clause : Headers.parse(c.header(Constants.REQUIRE_CAPABILITY))) {
            String effective = clause.directives().getOrDefault(Constants.EFFECTIVE_DIRECTIVE, "resolve");
            if ("optional".equals(clause.directives().get(Constants.RESOLUTION_DIRECTIVE))
                    || !"resolve".equals(effective)) {
                continue;
            }
            for (String ns : clause.names()) {
                String filter = clause.directives().get(Constants.FILTER_DIRECTIVE);
                Filter f = filter == null ? null : filter(filter);
                if (!provided(context, ns, f, replacing)) {
                    missing.add("capability " + ns + (filter == null ? "" : " " + filter));
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new Refused("unresolvable: missing " + String.join(", ", missing));
        }
    }

    /**
     * Bundles (other than the old one) wired to a package of {@code old} that the new jar does not export in a
     * version their import accepts.
     */
    static Set<Bundle> brokenImporters(Bundle old, Candidate c) {
        Set<Bundle> out = new LinkedHashSet<>();
        BundleWiring wiring = old.adapt(BundleWiring.class);
        if (wiring == null) {
            return out;
        }
        List<Map<String, Object>> exports = exports(c);
        for (BundleWire w : wiring.getProvidedWires(PackageNamespace.PACKAGE_NAMESPACE)) {
            Bundle requirer = w.getRequirerWiring().getBundle();
            if (requirer.equals(old)) {
                continue;
            }
            String filter = w.getRequirement().getDirectives().get(Constants.FILTER_DIRECTIVE);
            Filter f;
            try {
                f = FrameworkUtil.createFilter(filter);
            } catch (InvalidSyntaxException | NullPointerException e) {
                out.add(requirer);
                continue;
            }
            if (exports.stream().noneMatch(f::matches)) {
                out.add(requirer);
            }
        }
        return out;
    }

    /** The new jar's Export-Package as capability attributes. */
    private static List<Map<String, Object>> exports(Candidate c) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Headers.Clause clause : Headers.parse(c.header(Constants.EXPORT_PACKAGE))) {
            Version v = Version.parseVersion(clause.attributes().getOrDefault(Constants.VERSION_ATTRIBUTE, "0"));
            for (String pkg : clause.names()) {
                Map<String, Object> attrs = new HashMap<>(clause.attributes());
                attrs.put(PackageNamespace.PACKAGE_NAMESPACE, pkg);
                attrs.put(PackageNamespace.CAPABILITY_VERSION_ATTRIBUTE, v);
                out.add(attrs);
            }
        }
        return out;
    }

    private static boolean provided(BundleContext context, String namespace, Filter f, Optional<Bundle> replacing) {
        for (Bundle b : context.getBundles()) {
            if (!usable(b, replacing)) {
                continue;
            }
            BundleRevision r = b.adapt(BundleRevision.class);
            if (r == null) {
                continue;
            }
            for (BundleCapability cap : r.getDeclaredCapabilities(namespace)) {
                if (f == null || f.matches(cap.getAttributes())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A provider must be resolved (or the framework), and not the bundle the new jar replaces. */
    private static boolean usable(Bundle b, Optional<Bundle> replacing) {
        if (replacing.isPresent() && replacing.get().equals(b)) {
            return false;
        }
        return b.getBundleId() == 0 || (b.getState() & (Bundle.RESOLVED | Bundle.STARTING | Bundle.ACTIVE)) != 0;
    }

    private static Filter filter(String text) throws Refused {
        try {
            return FrameworkUtil.createFilter(text);
        } catch (InvalidSyntaxException e) {
            throw new Refused("unresolvable: invalid filter " + text + ": " + e.getMessage());
        }
    }
}
