package io.isthmus.linux;

import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Link;
import io.isthmus.api.linux.LinkListener;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Link events for the {@link LinkListener} whiteboard. A long-lived {@code ip -o monitor link} says which device
 * changed; its state is then read again as JSON (the monitor's text is not worth parsing for state). All reads
 * happen on one resolver thread, so every listener sees states in the order they were read.
 */
@Component(service = {}, immediate = true, configurationPid = LinuxConfig.PID)
public class LinkMonitor {
    /** After the monitor starts, how long before the full re-read that covers events it could not see yet. */
    static final Duration SETTLE = Duration.ofMillis(200);
    private static final Duration GRACE = Duration.ofSeconds(2);
    private static final SupervisedProcess.Backoff BACKOFF = new SupervisedProcess.Backoff(Duration.ofMillis(100),
            Duration.ofSeconds(5), Duration.ofSeconds(10));

    private final ProcessRunner runner;
    private final IpReader reader;
    private final Logger log;
    private final Map<LinkListener, ListenerQueue> listeners = new ConcurrentHashMap<>();
    private final ScheduledExecutorService resolver = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "isthmus-link-resolver");
        t.setDaemon(true);
        return t;
    });
    /** Devices with a re-read queued: a burst of events for one device costs one read. */
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    /** ifindex → name, to notice renames (monitor thread only). */
    private final Map<Integer, String> names = new HashMap<>();
    private final AtomicInteger listenerCount = new AtomicInteger();
    private final CountDownLatch subscribed = new CountDownLatch(1);
    private final SupervisedProcess monitor;

    @Activate
    public LinkMonitor(LinuxConfig config, BundleContext context,
            @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this(new ProcessRunner(Namespace.of(config.netns()), IpKernel.TIMEOUT,
                Optional.of(ChildRecords.of(context, log))), log);
    }

    LinkMonitor(Namespace namespace, Logger log) {
        this(new ProcessRunner(namespace, IpKernel.TIMEOUT), log);
    }

    private LinkMonitor(ProcessRunner runner, Logger log) {
        this.runner = runner;
        this.reader = new IpReader(runner);
        this.log = log;
        this.monitor = new SupervisedProcess("isthmus-link-monitor", runner, "ip", List.of("-o", "monitor", "link"),
                BACKOFF, new SupervisedProcess.Handler() {
                    @Override
                    public void started() {
                        // events between the last read and the monitor's subscription: one full re-read
                        schedule(LinkMonitor.this::resync);
                    }

                    @Override
                    public void line(String line) {
                        handle(line);
                    }

                    @Override
                    public void ended() {
                        // the re-read after the next start covers what happened meanwhile
                    }
                }, log);
    }

    @Activate
    void activate() {
        monitor.start();
    }

    @Deactivate
    void deactivate() {
        monitor.stop(GRACE);
        try {
            resolver.shutdownNow();
            resolver.awaitTermination(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        listeners.values().forEach(ListenerQueue::close);
        listeners.clear();
    }

    @Reference(name = "listener", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            unbind = "removeListener")
    void addListener(LinkListener listener) {
        ListenerQueue queue = new ListenerQueue(listener, "isthmus-link-listener-" + listenerCount.incrementAndGet(),
                (device, e) -> log.error("link listener {} failed on {}", listener, device, e));
        listeners.put(listener, queue);
        // a new listener starts from the current state: one synthetic event per existing link
        onResolver(() -> readAll().forEach(l -> queue.deliver(l.name(), Optional.of(l))));
    }

    void removeListener(LinkListener listener) {
        ListenerQueue queue = listeners.remove(listener);
        if (queue != null) {
            queue.close();
        }
    }

    /** For tests: true once a monitor process runs and the first full re-read after it was delivered. */
    boolean awaitSubscribed(Duration timeout) throws InterruptedException {
        return subscribed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** For tests: the current monitor process, if one runs. */
    Optional<Process> monitorProcess() {
        return monitor.process();
    }

    private void resync() {
        List<Link> links = readAll();
        listeners.values().forEach(q -> links.forEach(l -> q.deliver(l.name(), Optional.of(l))));
        subscribed.countDown();
    }

    private void handle(String line) {
        Optional<MonitorLine> parsed = MonitorLine.parse(line);
        if (parsed.isEmpty()) {
            log.debug("ip monitor: {}", line);
            return;
        }
        MonitorLine e = parsed.get();
        String before = e.deleted() ? names.remove(e.index()) : names.put(e.index(), e.device());
        if (before != null && !before.equals(e.device())) {
            onResolver(() -> dispatch(before, Optional.empty())); // renamed: the old name is gone
        }
        if (e.deleted()) {
            onResolver(() -> dispatch(e.device(), Optional.empty()));
        } else if (pending.add(e.device())) {
            onResolver(() -> {
                pending.remove(e.device());
                try {
                    dispatch(e.device(), reader.link(e.device()));
                } catch (KernelException ex) {
                    warnUnlessStopping("cannot read link " + e.device() + ": " + ex.getMessage());
                }
            });
        }
    }

    private void dispatch(String device, Optional<Link> now) {
        listeners.values().forEach(q -> q.deliver(device, now));
    }

    private List<Link> readAll() {
        try {
            return reader.links();
        } catch (KernelException e) {
            warnUnlessStopping("cannot read links: " + e.getMessage());
            return List.of();
        }
    }

    /** A read cut short by deactivate is no news. */
    private void warnUnlessStopping(String message) {
        if (!monitor.stopping()) {
            log.warn(message);
        }
    }

    private void onResolver(Runnable task) {
        try {
            resolver.execute(task);
        } catch (RejectedExecutionException stopping) {
            // deactivated meanwhile
        }
    }

    private void schedule(Runnable task) {
        try {
            resolver.schedule(task, SETTLE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // deactivated meanwhile
        }
    }
}
