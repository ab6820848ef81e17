package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.isthmus.api.config.ConfigService;
import io.isthmus.api.config.Generation;
import io.isthmus.api.runtime.Readiness;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Optional;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.ExamFactory;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A field update of the config bundle in a running x86-industrial gateway: its Configuration Admin settings and
 * its committed generation survive, and its service comes back (timed).
 */
@RunWith(PerProfile.class)
@ExamFactory(IsthmusContainerFactory.class)
@Profiles(BundleUpdateIT.PROFILE)
@ExamReactorStrategy(PerClass.class)
public class BundleUpdateIT {
    static final String PROFILE = "x86-industrial";
    static final String CONFIG_BUNDLE = "io.isthmus.config";
    static final String CONFIG_PID = "io.isthmus.config";
    static final String KEEP = "keepGenerations";
    /** Not the feature's value (10), nor the component default. */
    static final int KEEP_VALUE = 7;
    static final long SERVICE_TIMEOUT_MS = 10_000;
    static final String CONFIG_SERVICE = "(objectClass=" + ConfigService.class.getName() + ")";

    @Test
    public void updateOfConfigBundleKeepsSettingsAndState() throws Exception {
        BundleContext context = FrameworkUtil.getBundle(getClass()).getBundleContext();
        ServiceReference<?> ready = FrameworkChecks.awaitService(context, "(&(objectClass="
                + Readiness.class.getName() + ")(" + Readiness.STATE + "=" + Readiness.READY + "))",
                ProfileBootIT.READY_TIMEOUT_MS);
        assertNotNull(PROFILE + ": not ready within " + ProfileBootIT.READY_TIMEOUT_MS + " ms", ready);
        long readinessId = (Long) ready.getProperty(Constants.SERVICE_ID);
        Generation before = currentGeneration(context, FrameworkChecks.awaitService(context, CONFIG_SERVICE, 1));

        // 1. a non-default setting, through Configuration Admin; DS shows it as a service property
        ConfigurationAdmin cm = FrameworkChecks.service(context, ConfigurationAdmin.class);
        Configuration configuration = cm.getConfiguration(CONFIG_PID, null);
        Dictionary<String, Object> properties = configuration.getProperties();
        if (properties == null) {
            properties = new Hashtable<>();
        }
        assertNotEquals("the feature already sets " + KEEP + "=" + KEEP_VALUE, KEEP_VALUE, properties.get(KEEP));
        properties.put(KEEP, KEEP_VALUE);
        configuration.update(properties);
        String withSetting = "(&" + CONFIG_SERVICE + "(" + KEEP + "=" + KEEP_VALUE + "))";
        ServiceReference<ConfigService> configured = FrameworkChecks.awaitService(context, withSetting,
                SERVICE_TIMEOUT_MS);
        assertNotNull(PROFILE + ": no ConfigService with " + KEEP + "=" + KEEP_VALUE + " within "
                + SERVICE_TIMEOUT_MS + " ms of the configuration update; now: " + describe(context), configured);
        long oldId = (Long) configured.getProperty(Constants.SERVICE_ID);

        // 2. a field update of the bundle from its own jar; no refresh needed (it exports nothing)
        Bundle bundle = FrameworkChecks.bundle(context, CONFIG_BUNDLE);
        Path jar = Path.of(URI.create(bundle.getLocation()));
        long started = System.nanoTime();
        try (InputStream in = Files.newInputStream(jar)) {
            bundle.update(in);
        }
        ServiceReference<ConfigService> back = FrameworkChecks.awaitService(context,
                "(&" + withSetting + "(!(" + Constants.SERVICE_ID + "=" + oldId + ")))", SERVICE_TIMEOUT_MS);
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        assertNotNull(PROFILE + ": ConfigService not back within " + SERVICE_TIMEOUT_MS + " ms of the bundle update;"
                + " now: " + describe(context) + "; bundle problems:"
                + FrameworkChecks.lines(FrameworkChecks.bundleProblems(context)), back);
        System.out.printf("[itests] %s: io.isthmus.config updated, ConfigService back after %d ms (service.id %d -> %s)%n",
                PROFILE, elapsedMs, oldId, back.getProperty(Constants.SERVICE_ID));

        assertEquals("setting after the update", KEEP_VALUE, ((Number) back.getProperty(KEEP)).intValue());
        Generation after = currentGeneration(context, back);
        assertEquals("generation in force after the update (the state dir survived)", before.number(),
                after.number());
        assertEquals("document of the generation in force", before.sha256(), after.sha256());

        // 3. the rest keeps running: readiness (which needs the config service) comes back ready
        ServiceReference<?> readyAgain = FrameworkChecks.awaitService(context, "(&(objectClass="
                + Readiness.class.getName() + ")(" + Readiness.STATE + "=" + Readiness.READY + ")(!("
                + Constants.SERVICE_ID + "<=" + readinessId + ")))", SERVICE_TIMEOUT_MS);
        ServiceReference<?> stillReady = readyAgain != null ? readyAgain : context.getServiceReference(
                Readiness.class.getName());
        assertTrue(PROFILE + ": not ready again after the update; readiness now: "
                + (stillReady == null ? "none" : FrameworkChecks.properties(stillReady)) + "; components:"
                + FrameworkChecks.lines(FrameworkChecks.componentProblems(
                        FrameworkChecks.service(context,
                                org.osgi.service.component.runtime.ServiceComponentRuntime.class), cm)),
                stillReady != null && Readiness.READY.equals(stillReady.getProperty(Readiness.STATE)));
    }

    private static Generation currentGeneration(BundleContext context, ServiceReference<ConfigService> ref) {
        assertNotNull(PROFILE + ": no ConfigService", ref);
        ConfigService config = context.getService(ref);
        try {
            Optional<Generation> current = config.current();
            assertTrue(PROFILE + ": no committed generation", current.isPresent());
            return current.get();
        } finally {
            context.ungetService(ref);
        }
    }

    private static String describe(BundleContext context) throws Exception {
        ServiceReference<?>[] refs = context.getAllServiceReferences(ConfigService.class.getName(), null);
        if (refs == null) {
            return "no ConfigService";
        }
        StringBuilder sb = new StringBuilder();
        for (ServiceReference<?> r : refs) {
            sb.append(FrameworkChecks.properties(r)).append(' ');
        }
        return sb.toString().trim();
    }
}
