package io.isthmus.runtime;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * The liveness check the launcher calls before each systemd watchdog ping (a {@code java.*} type, so the
 * launcher, outside OSGi, can call it). Answers empty when alive, else the problem. It goes through the framework
 * for real: the service registry (the config service must still be registered), SCR's component descriptions and
 * configurations (its locks), and the JVM's deadlock detector. A wedged framework blocks it or answers a problem;
 * either way the watchdog is not fed and systemd restarts the gateway.
 */
@Component(service = Callable.class, property = "isthmus.liveness:Boolean=true")
public class Liveness implements Callable<String> {
    private final BundleContext context;
    private final ServiceComponentRuntime scr;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    @Activate
    public Liveness(BundleContext context, @Reference(name = "scr") ServiceComponentRuntime scr) {
        this.context = context;
        this.scr = scr;
    }

    @Override
    public String call() {
        if (context.getServiceReference("io.isthmus.api.config.ConfigService") == null) {
            return "the config service is gone";
        }
        int configurations = 0;
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            configurations += scr.getComponentConfigurationDTOs(d).size();
        }
        if (configurations == 0) {
            return "SCR reports no components";
        }
        long[] deadlocked = threads.findDeadlockedThreads();
        if (deadlocked != null) {
            List<String> names = new ArrayList<>();
            for (ThreadInfo t : threads.getThreadInfo(deadlocked)) {
                if (t != null) {
                    names.add(t.getThreadName());
                }
            }
            return "deadlocked threads: " + String.join(", ", names);
        }
        return "";
    }
}
