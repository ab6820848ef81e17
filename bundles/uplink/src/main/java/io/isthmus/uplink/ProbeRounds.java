package io.isthmus.uplink;

import io.isthmus.api.config.UplinkConfig;
import io.isthmus.api.net.Ipv4Address;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Probe rounds of every uplink on their own timers: each round probes all targets at once through the uplink's
 * source address and reports whether the quorum answered. The interval and packet size of the next round are
 * asked for each time, so a costly uplink slows down as soon as it is standby.
 */
final class ProbeRounds implements AutoCloseable {
    /** How one uplink is probed now; empty source: not probeable (no address or no carrier). */
    record Plan(Optional<Ipv4Address> source, Duration interval, int payloadBytes) {
    }

    /** What a round found. */
    interface Results {
        void round(String port, long generation, boolean ok, Optional<Duration> rtt, Instant at);
    }

    static final int PAYLOAD_BYTES = 56;
    private static final Duration SLACK = Duration.ofMillis(500);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "isthmus-uplink-probe-timer"));
    private final ExecutorService probes = Executors.newCachedThreadPool(r -> daemon(r, "isthmus-uplink-probe"));
    private final Prober prober;
    private final Results results;

    ProbeRounds(Prober prober, Results results) {
        this.prober = prober;
        this.results = results;
    }

    /** Starts probing {@code port} until the generation changes ({@code current} tells the live one). */
    void start(String port, long generation, UplinkConfig.Probe probe, List<ProbeTarget> targets,
            Function<String, Plan> plan, java.util.function.LongSupplier current) {
        timer.execute(() -> round(port, generation, probe, targets, plan, current));
    }

    private void round(String port, long generation, UplinkConfig.Probe probe, List<ProbeTarget> targets,
            Function<String, Plan> plan, java.util.function.LongSupplier current) {
        if (current.getAsLong() != generation) {
            return;
        }
        long start = System.nanoTime();
        Plan p = plan.apply(port);
        if (p.source().isPresent() && !targets.isEmpty()) {
            Duration timeout = Duration.ofMillis(probe.timeoutMs());
            List<CompletableFuture<Optional<Duration>>> answers = new ArrayList<>();
            for (ProbeTarget t : targets) {
                answers.add(CompletableFuture.supplyAsync(() -> prober.probe(t, p.source().get(), p.payloadBytes(),
                        timeout), probes).completeOnTimeout(Optional.empty(), timeout.plus(SLACK).toMillis(),
                                TimeUnit.MILLISECONDS));
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenAccept(done -> {
                List<Duration> rtts = answers.stream().map(CompletableFuture::join).flatMap(Optional::stream).toList();
                results.round(port, generation, rtts.size() >= probe.quorum(),
                        rtts.stream().min(Comparator.naturalOrder()), Instant.now());
            });
        }
        long delay = Math.max(0, p.interval().toNanos() - (System.nanoTime() - start));
        try {
            timer.schedule(() -> round(port, generation, probe, targets, plan, current), delay, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // stopping
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        probes.shutdownNow();
    }
}
