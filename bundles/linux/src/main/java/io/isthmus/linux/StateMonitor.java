package io.isthmus.linux;

import io.isthmus.api.linux.KernelStateListener;
import io.isthmus.api.linux.KernelStateListener.Kind;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Kernel state events for the {@link KernelStateListener} whiteboard: a long-lived {@code ip -o monitor label
 * address route rule} and a long-lived {@code nft monitor} say that something changed (only the kind is taken
 * from a line; the listeners re-read what they own). Events are coalesced for {@link #DEBOUNCE} after the first
 * of a burst, so a reconcile that writes ten routes is told once, and the pass its own writes trigger finds
 * nothing to do. When a monitor (re)starts, every listener is told of every kind once, for what it could not see.
 */
@Component(service = {}, immediate = true, configurationPid = LinuxConfig.PID)
public class StateMonitor {
    static final Duration DEBOUNCE = Duration.ofMillis(30);
    private static final Duration GRACE = Duration.ofSeconds(2);
    private static final SupervisedProcess.Backoff BACKOFF = new SupervisedProcess.Backoff(Duration.ofMillis(100),
            Duration.ofSeconds(5), Duration.ofSeconds(10));
    private static final Set<Kind> IP_KINDS = EnumSet.of(Kind.ADDRESS, Kind.ROUTE, Kind.RULE);

    private final Logger log;
    private final Map<KernelStateListener, ExecutorService> listeners = new ConcurrentHashMap<>();
    private final AtomicInteger listenerCount = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "isthmus-state-events");
        t.setDaemon(true);
        return t;
    });
    /** Kinds seen since the last delivery; guarded by this. */
    private final Set<Kind> pending = EnumSet.noneOf(Kind.class);
    private final CountDownLatch ipStarted = new CountDownLatch(1);
    private final CountDownLatch nftStarted = new CountDownLatch(1);
    private final SupervisedProcess ip;
    private final SupervisedProcess nft;

    @Activate
    public StateMonitor(LinuxConfig config, BundleContext context,
            @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this(new ProcessRunner(Namespace.of(config.netns()), IpKernel.TIMEOUT,
                Optional.of(ChildRecords.of(context, log))), log);
    }

    StateMonitor(Namespace namespace, Logger log) {
        this(new ProcessRunner(namespace, IpKernel.TIMEOUT), log);
    }

    private StateMonitor(ProcessRunner runner, Logger log) {
        this.log = log;
        this.ip = new SupervisedProcess("isthmus-state-monitor-ip", runner, "ip",
                List.of("-o", "monitor", "label", "address", "route", "rule"), BACKOFF,
                handler(IP_KINDS, ipStarted, StateMonitor::ipKind), log);
        this.nft = new SupervisedProcess("isthmus-state-monitor-nft", runner, "nft", List.of("monitor"), BACKOFF,
                handler(EnumSet.of(Kind.NFTABLES), nftStarted, StateMonitor::nftKind), log);
    }

    private SupervisedProcess.Handler handler(Set<Kind> all, CountDownLatch started,
            java.util.function.Function<String, Optional<Kind>> kind) {
        return new SupervisedProcess.Handler() {
            @Override
            public void started() {
                // whatever changed while no monitor ran: listeners re-read once
                changed(all);
                started.countDown();
            }

            @Override
            public void line(String line) {
                kind.apply(line).ifPresent(k -> changed(EnumSet.of(k)));
            }

            @Override
            public void ended() {
                // the next start tells every listener to re-read
            }
        };
    }

    /** The kind of one {@code ip -o monitor label} line; an unlabelled line could be any of them. */
    static Optional<Kind> ipKind(String line) {
        if (line.startsWith("[ADDR]")) {
            return Optional.of(Kind.ADDRESS);
        } else if (line.startsWith("[ROUTE]")) {
            return Optional.of(Kind.ROUTE);
        } else if (line.startsWith("[RULE]")) {
            return Optional.of(Kind.RULE);
        }
        return line.isBlank() ? Optional.empty() : Optional.of(Kind.ROUTE);
    }

    /**
     * {@code nft monitor} prints one line per change and a {@code # new generation} comment per transaction; for
     * some changes (nft 1.0.6: deleting an element of an interval set) the comment is all it prints, so it counts.
     */
    static Optional<Kind> nftKind(String line) {
        return line.isBlank() || (line.startsWith("#") && !line.startsWith("# new generation")) ? Optional.empty()
                : Optional.of(Kind.NFTABLES);
    }

    @Activate
    void activate() {
        ip.start();
        nft.start();
    }

    @Deactivate
    void deactivate() {
        ip.stop(GRACE);
        nft.stop(GRACE);
        timer.shutdownNow();
        listeners.values().forEach(ExecutorService::shutdownNow);
        listeners.clear();
    }

    @Reference(name = "listener", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            unbind = "removeListener")
    void addListener(KernelStateListener listener) {
        listeners.put(listener, Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "isthmus-state-listener-" + listenerCount.incrementAndGet());
            t.setDaemon(true);
            return t;
        }));
    }

    void removeListener(KernelStateListener listener) {
        ExecutorService queue = listeners.remove(listener);
        if (queue != null) {
            queue.shutdownNow();
        }
    }

    /** For tests: true once both monitors have started (events from then on are seen). */
    boolean awaitSubscribed(Duration timeout) throws InterruptedException {
        return ipStarted.await(timeout.toMillis(), TimeUnit.MILLISECONDS)
                && nftStarted.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void changed(Set<Kind> kinds) {
        boolean first;
        synchronized (this) {
            first = pending.isEmpty();
            pending.addAll(kinds);
        }
        if (first) {
            try {
                timer.schedule(this::deliver, DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                // deactivated meanwhile
            }
        }
    }

    private void deliver() {
        Set<Kind> kinds;
        synchronized (this) {
            kinds = Set.copyOf(pending);
            pending.clear();
        }
        listeners.forEach((listener, queue) -> {
            try {
                queue.execute(() -> {
                    try {
                        listener.kernelChanged(kinds);
                    } catch (RuntimeException e) {
                        log.error("kernel state listener {} failed on {}", listener, kinds, e);
                    }
                });
            } catch (RejectedExecutionException gone) {
                // the listener went away meanwhile
            }
        });
    }
}
