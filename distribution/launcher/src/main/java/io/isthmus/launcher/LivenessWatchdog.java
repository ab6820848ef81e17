package io.isthmus.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Feeds systemd's watchdog only when the runtime answers: every half interval it looks up the runtime bundle's
 * liveness check through the service registry (a {@link Callable} registered with {@value #PROPERTY}{@code =true};
 * a {@code java.*} type, so the launcher needs none of the API) and calls it on this thread. The check goes
 * through SCR and the runtime's own single thread; an empty answer means alive and sends {@code WATCHDOG=1}.
 * A wedged framework blocks the lookup or the call, a stopped JVM sends nothing: systemd then kills and
 * restarts the service. Not a timer that goes on regardless.
 */
final class LivenessWatchdog implements AutoCloseable {
    static final String PROPERTY = "isthmus.liveness";

    private final BundleContext system;
    private final SystemdNotify notify;
    private final PrintStream err;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "isthmus-watchdog");
        t.setDaemon(true);
        return t;
    });
    private volatile String lastProblem = "";

    LivenessWatchdog(BundleContext system, SystemdNotify notify, PrintStream err) {
        this.system = system;
        this.notify = notify;
        this.err = err;
    }

    void start(Duration interval) {
        long period = Math.max(100, interval.toMillis() / 2);
        timer.scheduleWithFixedDelay(this::tick, 0, period, TimeUnit.MILLISECONDS);
    }

    /** One check; the problem, or empty when the runtime answered alive. */
    Optional<String> check() {
        try {
            ServiceReference<?>[] refs = system.getServiceReferences(Callable.class.getName(),
                    "(" + PROPERTY + "=true)");
            if (refs == null || refs.length == 0) {
                return Optional.of("no liveness check registered (runtime bundle not active)");
            }
            Object service = system.getService(refs[0]);
            if (!(service instanceof Callable<?> callable)) {
                return Optional.of("liveness service is not a Callable");
            }
            try {
                String answer = String.valueOf(callable.call());
                return answer.isEmpty() ? Optional.empty() : Optional.of(answer);
            } finally {
                system.ungetService(refs[0]);
            }
        } catch (InvalidSyntaxException e) {
            return Optional.of("internal: " + e.getMessage());
        } catch (Exception e) {
            return Optional.of("liveness check failed: " + e);
        }
    }

    private void tick() {
        Optional<String> problem = check();
        if (problem.isEmpty()) {
            lastProblem = "";
            try {
                notify.send("WATCHDOG=1");
            } catch (IOException e) {
                report("cannot notify systemd: " + e.getMessage());
            }
            return;
        }
        report("not alive, watchdog not fed: " + problem.get());
    }

    /** Once per distinct problem: the journal gets the reason before systemd's kill. */
    private void report(String problem) {
        if (!problem.equals(lastProblem)) {
            lastProblem = problem;
            err.println("isthmus: watchdog: " + problem);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
