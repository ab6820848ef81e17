package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.isthmus.api.mgmt.ManagementSession;
import io.isthmus.api.runtime.ProtectedBundles;
import io.isthmus.api.runtime.Readiness;
import java.util.Optional;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.ExamFactory;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;

/**
 * The protected bundles of a real distribution, as the runtime derives them from Felix's wiring and the DS
 * runtime's component DTOs; and the self-check bringing back a management agent stopped behind its back.
 */
@RunWith(PerProfile.class)
@ExamFactory(IsthmusContainerFactory.class)
@Profiles(ProtectedBundlesIT.PROFILE)
@ExamReactorStrategy(PerClass.class)
public class ProtectedBundlesIT {
    static final String PROFILE = "x86-industrial";
    /** The self-check's grace (10 s) plus the bundle start and component activation. */
    static final long RESTORE_TIMEOUT_MS = 30_000;

    private BundleContext context;
    private ProtectedBundles protection;

    @Before
    public void setUp() throws Exception {
        context = FrameworkUtil.getBundle(getClass()).getBundleContext();
        assertNotNull(PROFILE + ": not ready", FrameworkChecks.awaitService(context, "(&(objectClass="
                + Readiness.class.getName() + ")(" + Readiness.STATE + "=" + Readiness.READY + "))",
                ProfileBootIT.READY_TIMEOUT_MS));
        protection = FrameworkChecks.service(context, ProtectedBundles.class);
    }

    private Optional<String> why(String symbolicName) {
        return protection.whyProtected(FrameworkChecks.bundle(context, symbolicName).getBundleId());
    }

    @Test
    public void theRootsAreTheFrameworkTheAgentTheConfigServiceAndTheAppliers() {
        assertTrue(protection.whyProtected(0).orElse("").contains("the framework"));
        assertEquals(Optional.of("io.isthmus.mgmt is the management agent"), why("io.isthmus.mgmt"));
        assertEquals(Optional.of("io.isthmus.config is the config service"), why("io.isthmus.config"));
        for (String applier : new String[] {"io.isthmus.routing", "io.isthmus.firewall", "io.isthmus.uplink",
                "io.isthmus.net.ethernet", "io.isthmus.multicast"}) {
            assertEquals(applier, Optional.of(applier + " applies the network document (data plane)"), why(applier));
        }
        assertTrue(why("io.isthmus.runtime").orElse("").contains("self-check"));
    }

    @Test
    public void whatTheyNeedIsFoundThroughTheWiringAndTheirMandatoryReferences() {
        String scr = why("org.apache.felix.scr").orElse("(not protected)");
        assertTrue(scr, scr.startsWith("org.apache.felix.scr is needed by "));
        assertTrue(scr, scr.contains("extender osgi.component: the Declarative Services runtime"));
        String log = why("org.apache.felix.log").orElse("(not protected)");
        assertTrue(log, log.startsWith("org.apache.felix.log is needed by "));
        String kernel = why("io.isthmus.linux").orElse("(not protected)");
        assertTrue(kernel, kernel.startsWith("io.isthmus.linux is needed by "));
        String api = why("io.isthmus.api").orElse("(not protected)");
        assertTrue(api, api.contains("(package io.isthmus.api."));
        System.out.printf("[itests] %s: protected:%n  %s%n  %s%n  %s%n  %s%n", PROFILE, scr, log, kernel, api);
    }

    @Test
    public void bundlesNothingCoreNeedsAreNotProtected() {
        assertEquals(Optional.empty(), why("io.isthmus.deploy"));
        assertEquals(Optional.empty(), why("io.isthmus.log"));
    }

    @Test
    public void theSelfCheckStartsAStoppedAgentAgain() throws Exception {
        Bundle mgmt = FrameworkChecks.bundle(context, "io.isthmus.mgmt");
        mgmt.stop();
        assertEquals(Bundle.RESOLVED, mgmt.getState());
        long deadline = System.currentTimeMillis() + RESTORE_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline && (mgmt.getState() != Bundle.ACTIVE
                || context.getServiceReference(ManagementSession.class) == null)) {
            Thread.sleep(100); // polling the framework for the self-check's effect
        }
        assertEquals("io.isthmus.mgmt started again by the self-check", Bundle.ACTIVE, mgmt.getState());
        assertNotNull("the agent's component runs again", context.getServiceReference(ManagementSession.class));
    }
}
