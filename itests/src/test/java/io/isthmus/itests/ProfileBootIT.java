package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.isthmus.api.config.ApplyResult;
import io.isthmus.api.config.ConfigService;
import io.isthmus.api.config.Generation;
import io.isthmus.api.runtime.Readiness;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.ExamFactory;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/**
 * Every device profile boots: each test runs once per profile of device-profiles/ (one framework per profile,
 * shared by the tests of this class), with exactly that profile's bundles from its assembled distribution.
 * The test names carry the profile, e.g. {@code readinessIsReady[x86-industrial]}.
 */
@RunWith(PerProfile.class)
@ExamFactory(IsthmusContainerFactory.class)
@ExamReactorStrategy(PerClass.class)
public class ProfileBootIT {
    /** Bound on every wait for the gateway to settle; a healthy boot takes about a second. */
    static final long READY_TIMEOUT_MS = 30_000;
    static final String READINESS_FILTER = "(objectClass=" + Readiness.class.getName() + ")";

    private static volatile boolean gaveUpWaiting;

    private BundleContext context;
    private String profile;

    @Before
    public void setUp() {
        context = FrameworkUtil.getBundle(getClass()).getBundleContext();
        profile = context.getProperty("isthmus.profile");
    }

    @Test
    public void everyBundleIsActive() throws Exception {
        awaitReadiness(); // components activate asynchronously: look once the runtime says it is settled, or gave up
        List<String> problems = FrameworkChecks.bundleProblems(context);
        assertTrue(profile + ": bundles not active:" + FrameworkChecks.lines(problems), problems.isEmpty());
    }

    @Test
    public void everyComponentIsSatisfied() throws Exception {
        awaitReadiness();
        List<String> problems = FrameworkChecks.componentProblems(
                FrameworkChecks.service(context, ServiceComponentRuntime.class),
                FrameworkChecks.service(context, ConfigurationAdmin.class));
        assertTrue(profile + ": DS components not satisfied:" + FrameworkChecks.lines(problems), problems.isEmpty());
    }

    @Test
    public void featureConfigurationsReachTheirComponents() throws Exception {
        awaitReadiness();
        String pids = context.getProperty(IsthmusOptions.FEATURE_PIDS_PROPERTY);
        Map<String, String> expected = new LinkedHashMap<>();
        for (String pid : pids == null || pids.isEmpty() ? new String[0] : pids.split(",")) {
            expected.put(pid, context.getProperty(IsthmusOptions.FEATURE_CONFIG_PREFIX + pid));
        }
        List<String> problems = FrameworkChecks.configurationProblems(
                FrameworkChecks.service(context, ServiceComponentRuntime.class),
                FrameworkChecks.service(context, ConfigurationAdmin.class), expected);
        assertTrue(profile + ": feature configurations not in force:" + FrameworkChecks.lines(problems),
                problems.isEmpty());
    }

    @Test
    public void readinessIsReady() throws Exception {
        ServiceReference<?> ref = awaitReadiness();
        if (ref == null) {
            fail(profile + ": no " + Readiness.class.getName() + " service (waited up to " + READY_TIMEOUT_MS
                    + " ms); bundles:" + FrameworkChecks.lines(FrameworkChecks.bundleProblems(context)));
        }
        assertEquals(profile + ": readiness " + FrameworkChecks.properties(ref), Readiness.READY,
                ref.getProperty(Readiness.STATE));
    }

    @Test
    public void configServiceHasCommittedGeneration() throws Exception {
        ServiceReference<ConfigService> ref = FrameworkChecks.awaitService(context,
                "(objectClass=" + ConfigService.class.getName() + ")", gaveUpWaiting ? 1 : READY_TIMEOUT_MS);
        assertNotNull(profile + ": no " + ConfigService.class.getName() + " service (waited up to "
                + READY_TIMEOUT_MS + " ms)", ref);
        ConfigService config = context.getService(ref);
        try {
            // the boot document is handled asynchronously (readiness waits for it too)
            ApplyResult boot;
            try {
                boot = config.bootApplied().toCompletableFuture().get(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError(profile + ": boot document not handled within " + READY_TIMEOUT_MS + " ms");
            } catch (ExecutionException e) {
                throw new AssertionError(profile + ": boot document failed: " + e.getCause(), e.getCause());
            }
            Optional<Generation> current = config.current();
            assertTrue(profile + ": no committed current generation after boot; boot result: " + boot,
                    current.isPresent());
            assertTrue(profile + ": generation numbers count from 1: " + current.get(), current.get().number() >= 1);
        } finally {
            context.ungetService(ref);
        }
    }

    /**
     * The readiness service (ready or failed), or null after the bound. Waits the full bound only once per
     * framework (each framework has its own probe, so its own copy of this class): a boot that never settles
     * costs one timeout, not one per test.
     */
    private ServiceReference<?> awaitReadiness() throws InterruptedException {
        ServiceReference<?> ref = FrameworkChecks.awaitService(context, READINESS_FILTER,
                gaveUpWaiting ? 1 : READY_TIMEOUT_MS);
        gaveUpWaiting = ref == null;
        return ref;
    }
}
