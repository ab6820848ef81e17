package io.isthmus.linux;

import io.isthmus.api.linux.EchoStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.osgi.service.log.Logger;

/**
 * One supervised {@code ping -n -O -i <interval> …} whose replies are read as they come. Each echo gets a
 * sequence number of the stream's own (it goes on across restarts of ping): a reply within the timeout is an
 * answer; an echo still unanswered at its send time + timeout + {@link #SLACK} is lost. Send times are
 * estimated from the last anchor, moved by every reply ({@code arrival - rtt}) and every {@code no answer yet
 * for icmp_seq=N} line (printed as N+1 is sent), so ping's own clock drift does not add up. While ping does not
 * run (it exited: the source address went away), echoes are lost at the interval's pace: the uplink sees failures.
 *
 * <p>Steady: while every echo is answered in time and the interval is at most {@link #STEADY_LATE} longer than
 * timeout + slack (the defaults: 500 ms, 400 ms), no deadline is armed per echo, so no thread but the reader wakes
 * for an answered echo. A first loss is then told from ping's own {@code no answer yet for icmp_seq=N} line, printed
 * as the next echo goes out (at most {@link #STEADY_LATE} after its deadline); from there on every echo has its
 * deadline again until one is answered. A deadline {@link #STEADY_SPAN} echoes ahead stays armed as a safety net (a
 * ping that prints nothing).
 */
final class PingStream implements EchoStream {
    /** Room for ping's line to reach us after the reply arrived. */
    static final Duration SLACK = Duration.ofMillis(10);
    private static final SupervisedProcess.Backoff BACKOFF = new SupervisedProcess.Backoff(Duration.ofMillis(200),
            Duration.ofSeconds(5), Duration.ofSeconds(10));
    private static final String NO_ANSWER = "no answer yet for icmp_seq=";
    /** How much later than its deadline a steady stream may tell a first loss. */
    static final Duration STEADY_LATE = Duration.ofMillis(100);
    /** How many echoes ahead the safety deadline of a steady stream lies. */
    static final int STEADY_SPAN = 8;

    private final long intervalNanos;
    private final long timeoutNanos;
    private final boolean timed;
    /** ping's line for an unanswered echo comes soon enough after its deadline to be the one that tells it. */
    private final boolean mayBeSteady;
    private final Outcomes outcomes;
    private final ScheduledExecutorService timer;
    private final SupervisedProcess ping;

    // guarded by this
    /** The lowest sequence number not settled yet: all below are told. */
    private long next = 1;
    /** ping's icmp_seq 1 of the current run is our base + 1. */
    private long base;
    private long anchorSeq = 1;
    private long anchorNanos = System.nanoTime();
    private ScheduledFuture<?> deadline;
    /** When the pending deadline fires (System.nanoTime). */
    private long deadlineAt;
    /** The last echo told was answered in time and ping runs: no deadline per echo (see the class comment). */
    private boolean steady;
    private boolean closed;

    PingStream(ProcessRunner runner, String name, List<String> argv, Duration interval, Duration timeout,
            int payloadBytes, Outcomes outcomes, ScheduledExecutorService timer, Logger log) {
        this.intervalNanos = interval.toNanos();
        this.timeoutNanos = timeout.toNanos();
        this.timed = payloadBytes >= 16;
        this.mayBeSteady = intervalNanos - timeoutNanos - SLACK.toNanos() <= STEADY_LATE.toNanos();
        this.outcomes = outcomes;
        this.timer = timer;
        this.ping = new SupervisedProcess(name, runner, "ping", argv, BACKOFF, new SupervisedProcess.Handler() {
            @Override
            public void started() {
                restarted(System.nanoTime());
            }

            @Override
            public void line(String line) {
                read(line, System.nanoTime());
            }

            @Override
            public void ended() {
                unsteady(); // the deadlines go on: echoes are lost until ping runs again
            }
        }, log);
    }

    static List<String> argv(String source, String target, int payloadBytes, Duration interval) {
        String seconds = String.format(java.util.Locale.ROOT, "%.3f", interval.toMillis() / 1000.0);
        return List.of("-n", "-O", "-i", seconds, "-s", String.valueOf(payloadBytes), "-I", source, target);
    }

    void start() {
        synchronized (this) {
            armDeadline();
        }
        ping.start();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (deadline != null) {
                deadline.cancel(false);
            }
        }
        ping.stop(Duration.ofSeconds(1));
    }

    /** For tests: the ping process running now. */
    Optional<Process> process() {
        return ping.process();
    }

    /** A new run of ping: its first echo goes out now, as our next number. */
    synchronized void restarted(long now) {
        base = next - 1;
        anchorSeq = next;
        anchorNanos = now;
        steady = false; // until its first answer
        if (deadline != null) {
            deadline.cancel(false); // it may be later than the new run's first deadline
            deadline = null;
        }
        armDeadline();
    }

    /**
     * One line of ping: {@code 64 bytes from A: icmp_seq=N ttl=T time=R ms} (no time below 16 bytes of payload)
     * or {@code no answer yet for icmp_seq=N}; anything else (the banner, ICMP errors) changes nothing. Plain
     * index arithmetic, no regular expression: this runs twice a second for ever, mostly interpreted.
     */
    synchronized void read(String line, long now) {
        int seqAt = line.indexOf("icmp_seq=");
        if (seqAt < 0) {
            return;
        }
        long icmpSeq = digits(line, seqAt + 9);
        if (icmpSeq < 0) {
            return;
        }
        if (line.startsWith(NO_ANSWER)) {
            anchorSeq = base + icmpSeq + 1; // being sent now
            anchorNanos = now;
            if (steady) {
                long unanswered = base + icmpSeq;
                for (; next <= unanswered && now - deadlineOf(next) >= 0; next++) {
                    tell(next, Optional.empty(), sentAt(next)); // no deadline of its own was armed
                }
                unsteady();
            }
            return;
        }
        if (line.indexOf("bytes from ") < 0) {
            return; // "From G icmp_seq=N Destination Host Unreachable": no answer from the target
        }
        long seq = base + icmpSeq;
        if (seq < next) {
            return; // late (already counted lost) or a duplicate
        }
        int timeAt = line.indexOf("time=", seqAt);
        long rtt = timeAt < 0 ? -1 : millisAsNanos(line, timeAt + 5);
        long sent = rtt >= 0 ? now - rtt : sentAt(seq);
        if (rtt >= 0) {
            anchorSeq = seq;
            anchorNanos = sent;
        }
        boolean inTime = (rtt >= 0 ? rtt : now - sent) <= timeoutNanos;
        boolean skipped = seq > next;
        settleBelow(seq);
        tell(seq, inTime ? Optional.of(timed && rtt >= 0 ? Duration.ofNanos(rtt) : Duration.ZERO) : Optional.empty(),
                sent);
        next = seq + 1;
        if (inTime && !skipped) {
            steady = mayBeSteady; // the pending deadline (exact or the safety net) stays: no timer work per reply
        } else {
            unsteady();
        }
    }

    /** Every echo gets its deadline again: the pending one moves up if it lies further ahead. */
    private synchronized void unsteady() {
        steady = false;
        if (deadline != null && deadlineAt - deadlineOf(next) > 0) {
            deadline.cancel(false);
            deadline = null;
        }
        armDeadline();
    }

    /** The decimal number at {@code from}, or -1. */
    static long digits(String s, int from) {
        long n = 0;
        int i = from;
        for (; i < s.length() && i - from < 18 && Character.isDigit(s.charAt(i)); i++) {
            n = n * 10 + (s.charAt(i) - '0');
        }
        return i == from ? -1 : n;
    }

    /**
     * {@code 0.512} (ms: digits, optionally a point and more digits) as nanoseconds, or -1. By hand: no
     * {@code Double.parseDouble} for a number read twice a second.
     */
    static long millisAsNanos(String s, int from) {
        long whole = 0;
        int i = from;
        for (; i < s.length() && i - from < 12 && Character.isDigit(s.charAt(i)); i++) {
            whole = whole * 10 + (s.charAt(i) - '0');
        }
        if (i == from) {
            return -1;
        }
        long nanos = whole * 1_000_000;
        if (i < s.length() && s.charAt(i) == '.') {
            long unit = 100_000;
            for (i++; i < s.length() && Character.isDigit(s.charAt(i)); i++) {
                nanos += (s.charAt(i) - '0') * unit;
                unit /= 10; // digits below a nanosecond add nothing
            }
        }
        return nanos;
    }

    /** The deadline of the lowest open echo passed: lost (unless a reply moved the anchor meanwhile). */
    private synchronized void expire() {
        if (closed) {
            return;
        }
        deadline = null;
        long now = System.nanoTime();
        while (now - deadlineOf(next) >= 0) {
            tell(next, Optional.empty(), sentAt(next));
            next++;
            steady = false;
        }
        armDeadline();
    }

    private void settleBelow(long seq) {
        for (; next < seq; next++) {
            tell(next, Optional.empty(), sentAt(next));
        }
    }

    private long sentAt(long seq) {
        return anchorNanos + (seq - anchorSeq) * intervalNanos;
    }

    private long deadlineOf(long seq) {
        return sentAt(seq) + timeoutNanos + SLACK.toNanos();
    }

    /**
     * One pending deadline at a time: for the lowest open echo as known when it was armed, or while steady the
     * safety net {@link #STEADY_SPAN} echoes further.
     */
    private void armDeadline() {
        if (closed || deadline != null) {
            return;
        }
        try {
            deadlineAt = deadlineOf(steady ? next + STEADY_SPAN : next);
            deadline = timer.schedule(this::expire, Math.max(0, deadlineAt - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            // the pinger is going away
        }
    }

    private void tell(long seq, Optional<Duration> rtt, long sentNanos) {
        Instant sent = Instant.now().minusNanos(System.nanoTime() - sentNanos);
        try {
            outcomes.echo(seq, rtt, sent);
        } catch (RuntimeException e) {
            // a listener's failure must not stop the stream
        }
    }
}
