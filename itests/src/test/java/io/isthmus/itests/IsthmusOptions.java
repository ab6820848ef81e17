package io.isthmus.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.frameworkStartLevel;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemPackage;
import static org.ops4j.pax.exam.cm.ConfigurationAdminOptions.newConfiguration;

import io.isthmus.api.config.ConfigService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ops4j.pax.exam.Constants;
import org.ops4j.pax.exam.Option;

/**
 * The Pax Exam options that boot one distribution the way {@code bin/isthmus run} does (test side).
 *
 * <ul>
 * <li>exactly the profile's bundles, as {@code file:} URLs into the distribution's {@code system/} folder (reactor
 * artifacts are not in the local repository during a {@code mvn verify} of a fresh clone), each at its feature
 * start-order as bundle start level;
 * <li>the features' configurations, through Pax Exam's ConfigurationAdmin option: a bundle at start level 1 that
 * writes them synchronously when Configuration Admin registers (which the core feature starts at level 1), so they
 * are in place before any bundle of a later level starts, as the launcher's ConfigurationSeeder guarantees;
 * <li>the framework properties the launcher sets ({@code isthmus.state.dir} a fresh folder of this run,
 * {@code isthmus.profile.file}, {@code isthmus.config.default}, …) and the features' framework properties;
 * <li>a framework storage of this run (several frameworks may run side by side in this JVM).
 * </ul>
 *
 * Pax Exam adds its own helper bundles at start level 2 and the probe at level 5.
 */
final class IsthmusOptions {
    static final String SLF4J_VERSION_PROPERTY = "isthmus.itests.slf4j.version";
    /** Framework property: the PIDs the profile's features configure, comma-separated. */
    static final String FEATURE_PIDS_PROPERTY = "isthmus.itests.feature.pids";
    /** Framework property prefix: + PID, the properties the features give that PID ({@link FrameworkChecks#encode}). */
    static final String FEATURE_CONFIG_PREFIX = "isthmus.itests.feature.config.";

    private IsthmusOptions() {
    }

    static Option[] forRun(Distribution dist, Path runDir) {
        List<Option> options = new ArrayList<>();
        options.add(examSupport());
        options.add(frameworkStartLevel(Math.max(Constants.START_LEVEL_TEST_BUNDLE, dist.highestStartOrder())));
        options.add(frameworkProperty(org.osgi.framework.Constants.FRAMEWORK_STORAGE)
                .value(runDir.resolve("felix-cache").toString()));
        options.add(frameworkProperty(org.osgi.framework.Constants.FRAMEWORK_STORAGE_CLEAN)
                .value(org.osgi.framework.Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
        options.add(frameworkProperty("felix.log.level").value("1"));
        dist.frameworkProperties().forEach((k, v) -> options.add(frameworkProperty(k).value(v)));
        options.add(frameworkProperty("isthmus.home").value(dist.home().toString()));
        options.add(frameworkProperty("isthmus.profile").value(dist.profile()));
        options.add(frameworkProperty("isthmus.version").value(version(dist)));
        options.add(frameworkProperty(ConfigService.STATE_DIR).value(stateDir(runDir).toString()));
        options.add(frameworkProperty(ConfigService.PROFILE_FILE).value(dist.profileFile().toString()));
        options.add(frameworkProperty(ConfigService.DEFAULT_CONFIG_FILE).value(dist.defaultDocument().toString()));
        // test instrumentation, not launcher properties: what ProfileBootIT expects Configuration Admin to hold
        options.add(frameworkProperty(FEATURE_PIDS_PROPERTY).value(String.join(",", dist.configurations().keySet())));
        dist.configurations().forEach((pid, properties) -> options.add(frameworkProperty(FEATURE_CONFIG_PREFIX + pid)
                .value(FrameworkChecks.encode(properties))));
        for (Map.Entry<String, Map<String, Object>> c : dist.configurations().entrySet()) {
            options.add(newConfiguration(c.getKey()).putAll(c.getValue()).asOption());
        }
        for (Distribution.Bundle b : dist.bundles()) {
            options.add(bundle(b.jar().toUri().toString()).startLevel(b.startOrder()).start(!b.fragment()));
        }
        return options.toArray(Option[]::new);
    }

    /** The state directory of a run: created empty when the run starts, deleted when it stops. */
    static Path stateDir(Path runDir) {
        return runDir.resolve("state");
    }

    /**
     * JUnit for the probe, and SLF4J for Pax Exam's helper bundles: with {@code pax.exam.logging=none}
     * (exam.properties) they get the test class path's SLF4J as system packages instead of pax-logging bundles,
     * which would also export an older {@code org.osgi.service.log} next to the profile's Felix Log.
     */
    private static Option examSupport() {
        String slf4j = System.getProperty(SLF4J_VERSION_PROPERTY, "1.7.36");
        return composite(junitBundles(), systemPackage("org.slf4j;version=" + slf4j));
    }

    private static String version(Distribution dist) {
        try {
            Path file = dist.home().resolve("VERSION");
            return Files.isRegularFile(file) ? Files.readString(file).trim() : "dev";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
