package io.isthmus.itests;

import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.ExamFactory;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/**
 * The checks of {@link ProfileBootIT} can fail, and say why: without jackson-databind, io.isthmus.config cannot
 * resolve and the bundle check names the missing package; the runtime's component then lacks the config service
 * and the component check names that reference. Nothing here waits.
 */
@RunWith(PerProfile.class)
@ExamFactory(IsthmusContainerFactory.class)
@Profiles(value = UnresolvedBundleIT.PROFILE, without = UnresolvedBundleIT.REMOVED)
@ExamReactorStrategy(PerClass.class)
public class UnresolvedBundleIT {
    static final String PROFILE = "x86-industrial";
    static final String REMOVED = "com.fasterxml.jackson.core:jackson-databind";

    static {
        if (FrameworkUtil.getBundle(UnresolvedBundleIT.class) == null) { // the test JVM, not the probe
            System.out.println("[itests] " + UnresolvedBundleIT.class.getSimpleName() + " boots " + PROFILE + " without "
                + REMOVED + " on purpose: the resolution errors that Felix and Pax Exam log for it are expected");
        }
    }

    @Test
    public void missingBundleIsReportedByPackage() {
        BundleContext context = FrameworkUtil.getBundle(getClass()).getBundleContext();
        List<String> problems = FrameworkChecks.bundleProblems(context);
        String report = FrameworkChecks.lines(problems);
        System.out.println("[itests] bundle check without jackson-databind:" + report);
        assertTrue("expected io.isthmus.config reported as unresolved for want of com.fasterxml.jackson.databind,"
                + " got:" + report, problems.stream().anyMatch(p -> p.startsWith("io.isthmus.config ")
                        && p.contains("not resolved") && p.contains("osgi.wiring.package=com.fasterxml.jackson.databind")));
    }

    @Test
    public void unsatisfiedReferenceIsReportedByInterface() {
        BundleContext context = FrameworkUtil.getBundle(getClass()).getBundleContext();
        List<String> problems = FrameworkChecks.componentProblems(
                FrameworkChecks.service(context, ServiceComponentRuntime.class),
                FrameworkChecks.service(context, ConfigurationAdmin.class));
        String report = FrameworkChecks.lines(problems);
        System.out.println("[itests] component check without jackson-databind:" + report);
        assertTrue("expected the runtime's component reported with its unsatisfied ConfigService reference, got:"
                + report, problems.stream().anyMatch(p -> p.contains("(bundle io.isthmus.runtime)")
                        && p.contains("unsatisfied reference") && p.contains("io.isthmus.api.config.ConfigService")));
    }
}
