package io.isthmus.uplink;

import io.isthmus.api.config.UplinkConfig;
import io.isthmus.api.linux.EchoStream;
import io.isthmus.api.net.Ipv4Address;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Probe rounds of every uplink: each target of an uplink yields one outcome per interval, and a round is one
 * outcome of every target; it is good when the quorum answered. ICMP targets are long-lived echo streams (one
 * process per target for as long as the plan holds, no process per echo); TCP and DNS targets are probed from
 * here on a timer. The plan (source address, interval, packet size) is looked at again when the manager says it
 * may have changed ({@link #replan}: a new address, a new selection), so a costly uplink slows down as soon as it
 * is standby; a new plan restarts the streams. Nothing here wakes up between echoes. A steady run of rounds (an
 * uplink that keeps answering) is told to the manager in batches, at most {@link #TELL_STEADY_EVERY} late.
 */
final class ProbeRounds implements AutoCloseable {
    /**
     * How one uplink is probed now; empty source: not probeable (no address or no carrier). {@code retry}: while
     * the uplink's probes have told nothing yet, a failed round is probed again this soon (a fresh stream, with
     * the same settings) instead of one slow interval later.
     */
    record Plan(Optional<Ipv4Address> source, Duration interval, int payloadBytes, Optional<Duration> retry) {

        /**
         * A costly uplink on standby (the manager selected another, or none yet) is probed slowly and with small
         * packets from its first probe on; anything else at the normal interval and size. Its first answer does
         * not wait a slow interval when an echo is lost (one sent while its routes are still being written):
         * until its probes have told something, a failed round is retried at the normal interval.
         *
         * @param told whether the uplink's probes have told something (its health is no longer unknown)
         */
        static Plan of(UplinkConfig cfg, int cost, Optional<Ipv4Address> source, boolean standby, boolean told) {
            Duration normal = Duration.ofMillis(cfg.probe().intervalMs());
            if (cost > cfg.costly().above() && standby) {
                Duration slow = Duration.ofMillis(cfg.costly().intervalMs());
                return new Plan(source, slow, cfg.costly().payloadBytes(),
                        told || slow.compareTo(normal) <= 0 ? Optional.empty() : Optional.of(normal));
            }
            return new Plan(source, normal, PAYLOAD_BYTES, Optional.empty());
        }

        /** The same probes on the wire (the retry aside): a running stream goes on unchanged. */
        boolean sameProbes(Plan other) {
            return source.equals(other.source) && interval.equals(other.interval)
                    && payloadBytes == other.payloadBytes;
        }
    }

    /** One probe round: good when the quorum answered; the best round-trip time of those that did. */
    record Round(boolean ok, Optional<Duration> rtt, Instant at) {
    }

    /** What the rounds found. */
    interface Results {
        void round(String port, long generation, boolean ok, Optional<Duration> rtt, Instant at);

        /** Several rounds of one uplink at once, in order (a steady run told together). */
        default void rounds(String port, long generation, List<Round> rounds) {
            rounds.forEach(r -> round(port, generation, r.ok(), r.rtt(), r.at()));
        }
    }

    static final int PAYLOAD_BYTES = 56;
    /**
     * A steady run's rounds are told together at most this late: once an uplink's rounds have had the same result
     * more times in a row than any change of its health needs ({@code upAfter} answered, {@code downAfter} lost),
     * further ones change only its figures (round-trip time, loss), so the manager's thread need not wake for each.
     */
    static final Duration TELL_STEADY_EVERY = Duration.ofSeconds(5);
    private static final Duration SLACK = Duration.ofMillis(500);
    /** Outcomes a fast target may be ahead of a slow one (ping's own clock runs a little slow). */
    private static final int AHEAD = 3;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "isthmus-uplink-probe-timer"));
    private final ExecutorService probes = Executors.newCachedThreadPool(r -> daemon(r, "isthmus-uplink-probe"));
    private final Prober prober;
    private final Results results;
    private final java.util.Set<PortProbe> active = java.util.concurrent.ConcurrentHashMap.newKeySet();

    ProbeRounds(Prober prober, Results results) {
        this.prober = prober;
        this.results = results;
    }

    /** Looks at every uplink's plan again (and stops the probing of a past generation). */
    void replan() {
        active.forEach(p -> {
            try {
                timer.execute(p::check);
            } catch (RejectedExecutionException closed) {
                // stopping
            }
        });
    }

    /**
     * The manager needs {@code port}'s next rounds as they come (its carrier changed, so its health may move
     * again): a steady run's deferred rounds are told now.
     */
    void prompt(String port) {
        active.forEach(p -> {
            if (p.port.equals(port)) {
                p.prompt();
            }
        });
    }

    /** Starts probing {@code port} until the generation changes ({@code current} tells the live one). */
    void start(String port, long generation, UplinkConfig.Probe probe, List<ProbeTarget> targets,
            Function<String, Plan> plan, LongSupplier current) {
        PortProbe p = new PortProbe(port, generation, probe, targets, plan, current);
        active.add(p);
        try {
            timer.execute(p::check);
        } catch (RejectedExecutionException closed) {
            active.remove(p);
        }
    }

    /** One uplink's probing under one generation; its state is guarded by itself. */
    private final class PortProbe {
        private final String port;
        private final long generation;
        private final UplinkConfig.Probe probe;
        private final List<ProbeTarget> targets;
        private final Function<String, Plan> plan;
        private final LongSupplier current;
        private Optional<Plan> running = Optional.empty();
        /** The latest plan's retry (it changes without a restart). */
        private volatile Optional<Duration> retry = Optional.empty();
        /** Retries made while the plan asks for them: at most downAfter - 1 (the uplink is down by then). */
        private int retried;
        /** Per target: outcomes not yet part of a round (empty: no answer). */
        private final List<Deque<Optional<Duration>>> pending = new ArrayList<>();
        private final List<AutoCloseable> streams = new ArrayList<>();
        private ScheduledFuture<?> polled;
        /** Bumped on every restart, so that outcomes of closed streams are dropped. */
        private long epoch;
        /** Rounds in a row with the same result as the last one, and that result. */
        private int streak;
        private boolean lastOk;
        /** Rounds of a steady run not told yet. */
        private final List<Round> deferred = new ArrayList<>();

        PortProbe(String port, long generation, UplinkConfig.Probe probe, List<ProbeTarget> targets,
                Function<String, Plan> plan, LongSupplier current) {
            this.port = port;
            this.generation = generation;
            this.probe = probe;
            this.targets = targets;
            this.plan = plan;
            this.current = current;
        }

        /** On the timer: stop when the generation is gone, restart when the plan changed. */
        void check() {
            if (current.getAsLong() != generation) {
                stop();
                active.remove(this);
                return;
            }
            Plan p = plan.apply(port);
            Optional<Plan> wanted = p.source().isPresent() && !targets.isEmpty() ? Optional.of(p) : Optional.empty();
            retry = p.retry();
            if (p.retry().isEmpty()) {
                retried = 0;
            }
            boolean same = wanted.isPresent() == running.isPresent()
                    && (wanted.isEmpty() || wanted.get().sameProbes(running.get()));
            if (!same) {
                stop();
                wanted.ifPresent(this::begin);
            }
        }

        /** A failed round while the plan says retry: the same probes again soon, on a fresh stream. */
        private void retryLater(long e) {
            Optional<Duration> r = retry;
            if (r.isEmpty()) {
                return;
            }
            // the failure is known a timeout after the echo went out: the retry goes out one retry interval after it
            long delay = Math.max(0, r.get().toMillis() - probe.timeoutMs());
            try {
                timer.schedule(() -> retryNow(e), delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closed) {
                // stopping
            }
        }

        /** On the timer: unless the probes moved on meanwhile (a restart, an answer, a new plan). */
        private void retryNow(long e) {
            Optional<Plan> now;
            synchronized (this) {
                if (e != epoch) {
                    return;
                }
                now = running;
            }
            if (current.getAsLong() != generation || now.isEmpty()) {
                return;
            }
            Plan p = plan.apply(port);
            retry = p.retry();
            if (p.retry().isPresent() && p.sameProbes(now.get()) && retried < probe.downAfter() - 1) {
                retried++;
                stop();
                begin(now.get());
            }
        }

        private void begin(Plan p) {
            Duration timeout = Duration.ofMillis(probe.timeoutMs());
            Ipv4Address source = p.source().orElseThrow();
            List<ProbeTarget> polledTargets = new ArrayList<>();
            List<Integer> polledIndex = new ArrayList<>();
            synchronized (this) {
                long e = ++epoch;
                running = Optional.of(p);
                for (int i = 0; i < targets.size(); i++) {
                    pending.add(new ArrayDeque<>());
                    int index = i;
                    Optional<EchoStream> stream = prober.stream(targets.get(i), source, p.payloadBytes(), p.interval(),
                            timeout, (seq, rtt, sent) -> outcome(e, index, rtt));
                    if (stream.isPresent()) {
                        streams.add(stream.get());
                    } else {
                        polledTargets.add(targets.get(i));
                        polledIndex.add(i);
                    }
                }
                if (!polledTargets.isEmpty()) {
                    polled = timer.scheduleAtFixedRate(() -> poll(e, polledTargets, polledIndex, p, timeout), 0,
                            p.interval().toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        }

        /** TCP, DNS and ICMP targets without a stream: one probe each, now, on the probe threads. */
        private void poll(long e, List<ProbeTarget> polledTargets, List<Integer> index, Plan p, Duration timeout) {
            for (int i = 0; i < polledTargets.size(); i++) {
                ProbeTarget t = polledTargets.get(i);
                int at = index.get(i);
                CompletableFuture.supplyAsync(() -> prober.probe(t, p.source().orElseThrow(), p.payloadBytes(),
                        timeout), probes).completeOnTimeout(Optional.empty(), timeout.plus(SLACK).toMillis(),
                                TimeUnit.MILLISECONDS).thenAccept(rtt -> outcome(e, at, rtt));
            }
        }

        /** One target's outcome; a round once every target has one. Plain loops: runs at every echo, for ever. */
        private void outcome(long e, int target, Optional<Duration> rtt) {
            int answered = 0;
            Duration best = null;
            boolean ok;
            synchronized (this) {
                if (e != epoch) {
                    return;
                }
                Deque<Optional<Duration>> q = pending.get(target);
                q.addLast(rtt);
                while (q.size() > AHEAD) {
                    q.removeFirst();
                }
                for (Deque<Optional<Duration>> d : pending) {
                    if (d.isEmpty()) {
                        return;
                    }
                }
                for (Deque<Optional<Duration>> d : pending) {
                    Optional<Duration> r = d.removeFirst();
                    if (r.isPresent()) {
                        answered++;
                        best = best == null || r.get().compareTo(best) < 0 ? r.get() : best;
                    }
                }
                ok = answered >= probe.quorum();
                tell(new Round(ok, Optional.ofNullable(best), Instant.now())); // under the lock: in order
            }
            if (!ok) {
                retryLater(e);
            }
        }

        /**
         * A round goes to the manager now, unless it only lengthens a steady run (see {@link #TELL_STEADY_EVERY}):
         * then it waits for the next round that differs, a {@link #prompt} or the run's turn to be told. Under the
         * lock.
         */
        private void tell(Round r) {
            streak = streak > 0 && r.ok() == lastOk ? streak + 1 : 1;
            lastOk = r.ok();
            Duration interval = running.map(Plan::interval).orElse(TELL_STEADY_EVERY);
            if (streak > (r.ok() ? probe.upAfter() : probe.downAfter())) {
                deferred.add(r);
                if (Duration.between(deferred.get(0).at(), r.at()).plus(interval).compareTo(TELL_STEADY_EVERY) < 0) {
                    return;
                }
                flush();
                return;
            }
            flush(); // a round that differs ends a steady run: the run's deferred rounds first
            results.round(port, generation, r.ok(), r.rtt(), r.at());
        }

        /** The deferred rounds of a steady run, told now. Under the lock. */
        private void flush() {
            if (!deferred.isEmpty()) {
                results.rounds(port, generation, List.copyOf(deferred));
                deferred.clear();
            }
        }

        /** Every round told at once again, until the run is steady anew (the carrier changed). */
        synchronized void prompt() {
            streak = 0;
            flush();
        }

        private void stop() {
            List<AutoCloseable> closing;
            synchronized (this) {
                epoch++;
                flush();
                streak = 0;
                running = Optional.empty();
                pending.clear();
                if (polled != null) {
                    polled.cancel(false);
                    polled = null;
                }
                closing = new ArrayList<>(streams);
                streams.clear();
            }
            closing.forEach(s -> {
                try {
                    s.close();
                } catch (Exception ignored) {
                    // a stream that cannot close is gone anyway
                }
            });
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
        active.forEach(PortProbe::stop); // the echo streams' processes end with them
        active.clear();
    }
}
