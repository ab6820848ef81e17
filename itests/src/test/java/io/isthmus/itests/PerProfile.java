package io.isthmus.itests;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.runner.Runner;
import org.junit.runners.Suite;
import org.junit.runners.model.FrameworkMethod;
import org.junit.runners.model.InitializationError;
import org.ops4j.pax.exam.ExamFactory;
import org.ops4j.pax.exam.junit.impl.ProbeRunner;

/**
 * Runs a Pax Exam test class once per device profile named by its {@link Profiles} annotation (every profile of
 * device-profiles/ when it names none), each in its own framework booted by {@link IsthmusContainerFactory}; test
 * names carry the profile, e.g. {@code readinessIsReady[x86-industrial]}.
 *
 * <p>Why not plain Pax Exam: a {@code @Configuration} method yields one fixed configuration, so one configuration
 * per profile would mean one method per profile, named in code. {@code PaxExamParameterized} varies the test's
 * arguments, not the framework. And a container factory that returns several containers to one runner has every
 * container run the tests under the same names, which JUnit reporters fold into one (Pax Exam 4.13 tells them
 * apart only when there are several {@code @Configuration} methods). So this runner builds one ordinary Pax Exam
 * runner per profile, telling the container factory which profile it is staging.
 */
public final class PerProfile extends Suite {
    private static final ThreadLocal<Distribution> STAGING = new ThreadLocal<>();

    public PerProfile(Class<?> klass) throws InitializationError {
        super(klass, runners(klass));
    }

    /** The distribution whose runner is being created (read by the container factory while Pax Exam stages). */
    static Distribution staging() {
        Distribution dist = STAGING.get();
        if (dist == null) {
            throw new IllegalStateException(IsthmusContainerFactory.class.getSimpleName() + " boots distributions"
                    + " for test classes run with @RunWith(" + PerProfile.class.getSimpleName() + ".class)");
        }
        return dist;
    }

    private static List<Runner> runners(Class<?> klass) throws InitializationError {
        ExamFactory factory = klass.getAnnotation(ExamFactory.class);
        if (factory == null || !IsthmusContainerFactory.class.isAssignableFrom(factory.value())) {
            throw new InitializationError(klass.getName() + " needs @ExamFactory("
                    + IsthmusContainerFactory.class.getSimpleName() + ".class)");
        }
        Profiles selection = klass.getAnnotation(Profiles.class);
        List<String> ids = selection == null || selection.value().length == 0 ? Distribution.profiles()
                : Arrays.asList(selection.value());
        String[] without = selection == null ? new String[0] : selection.without();
        List<Runner> runners = new ArrayList<>();
        for (String id : ids) {
            Distribution dist = Distribution.of(id).without(without);
            STAGING.set(dist);
            try {
                runners.add(new OneProfile(klass, dist.label()));
            } finally {
                STAGING.remove();
            }
        }
        return runners;
    }

    /** Pax Exam's runner for one profile, with the profile in its name and its tests' names. */
    private static final class OneProfile extends ProbeRunner {
        private final String label;

        OneProfile(Class<?> klass, String label) throws InitializationError {
            super(klass);
            this.label = label;
        }

        @Override
        protected String getName() {
            return "[" + label + "]";
        }

        @Override
        protected String testName(FrameworkMethod method) {
            return method.getName() + "[" + label + "]";
        }
    }
}
