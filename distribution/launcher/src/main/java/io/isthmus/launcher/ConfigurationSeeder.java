package io.isthmus.launcher;

import java.lang.reflect.Method;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;

/**
 * Applies the features' configurations through Configuration Admin the moment its service registers —
 * synchronously inside the service event, so before any bundle with a higher start order starts.
 * A PID is written only when the feature's properties changed since the last boot (or the configuration
 * is missing), so changes made at runtime survive a restart of the same distribution.
 *
 * <p>The launcher lives outside the framework and must not share the Configuration Admin API classes, so
 * it calls the service through the API interfaces loaded from the providing bundle.
 */
final class ConfigurationSeeder implements ServiceListener {
    static final String CM = "org.osgi.service.cm.ConfigurationAdmin";

    private final BundleContext system;
    private final Map<String, Map<String, Object>> configurations;
    private final BundleIndex index;
    private volatile Exception failure;
    private volatile boolean seeded;

    ConfigurationSeeder(BundleContext system, Map<String, Map<String, Object>> configurations, BundleIndex index) {
        this.system = system;
        this.configurations = configurations;
        this.index = index;
    }

    void install() throws LaunchException {
        try {
            system.addServiceListener(this, "(objectClass=" + CM + ")");
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new LaunchException("internal: " + e.getMessage(), e);
        }
    }

    /** Throws when seeding failed, or when configurations exist but no Configuration Admin ever came. */
    void verify() throws LaunchException {
        system.removeServiceListener(this);
        if (failure != null) {
            throw new LaunchException("cannot apply feature configurations: " + failure.getMessage(), failure);
        }
        if (!seeded && !configurations.isEmpty()) {
            throw new LaunchException("features carry configurations but no bundle provides " + CM);
        }
    }

    @Override
    public void serviceChanged(ServiceEvent event) {
        if (event.getType() == ServiceEvent.REGISTERED && !seeded) {
            try {
                seed(event.getServiceReference());
                seeded = true;
            } catch (Exception e) {
                failure = e;
            }
        }
    }

    private void seed(ServiceReference<?> ref) throws Exception {
        Object admin = system.getService(ref);
        try {
            ClassLoader api = admin.getClass().getClassLoader();
            Class<?> adminType = Class.forName(CM, false, api);
            Class<?> configType = Class.forName("org.osgi.service.cm.Configuration", false, api);
            Method get = adminType.getMethod("getConfiguration", String.class, String.class);
            Method getFactory = adminType.getMethod("getFactoryConfiguration", String.class, String.class, String.class);
            Method getProperties = configType.getMethod("getProperties");
            Method update = configType.getMethod("update", Dictionary.class);
            for (Map.Entry<String, Map<String, Object>> e : configurations.entrySet()) {
                String pid = e.getKey();
                String hash = Files2.sha256(JsonFiles.write(new TreeMap<>(e.getValue())));
                int tilde = pid.indexOf('~');
                // "?" binds the configuration to whichever bundle uses it first (multi-location)
                Object config = tilde < 0 ? get.invoke(admin, pid, "?")
                        : getFactory.invoke(admin, pid.substring(0, tilde), pid.substring(tilde + 1), "?");
                boolean missing = getProperties.invoke(config) == null;
                if (missing || !hash.equals(index.configurationHash(pid))) {
                    update.invoke(config, toDictionary(e.getValue()));
                    index.configurationApplied(pid, hash);
                }
            }
        } finally {
            system.ungetService(ref);
        }
    }

    static Dictionary<String, Object> toDictionary(Map<String, Object> properties) {
        Hashtable<String, Object> d = new Hashtable<>();
        properties.forEach((k, v) -> d.put(k, toConfigValue(v)));
        return d;
    }

    /** JSON values to the types Configuration Admin accepts (lists become arrays). */
    private static Object toConfigValue(Object v) {
        if (v instanceof List<?> list) {
            if (list.stream().allMatch(String.class::isInstance)) {
                return list.toArray(String[]::new);
            }
            if (list.stream().allMatch(x -> x instanceof Integer || x instanceof Long)) {
                return list.stream().map(x -> ((Number) x).longValue()).toArray(Long[]::new);
            }
            return list.stream().map(String::valueOf).toArray(String[]::new);
        }
        if (v instanceof java.math.BigInteger b) {
            return b.longValue();
        }
        if (v instanceof java.math.BigDecimal b) {
            return b.doubleValue();
        }
        if (v instanceof Map<?, ?>) {
            return JsonFiles.write(v);
        }
        return v;
    }
}
