package io.isthmus.uplink;

import io.isthmus.api.uplink.UplinkState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The health of one uplink from its carrier and its probe rounds — a state machine with hysteresis: DOWN at
 * once on carrier loss or after {@code downAfter} failed rounds in a row; UP again only after {@code upAfter}
 * good rounds in a row (a fresh uplink, never probed, after its first good round). Without probe targets,
 * carrier alone decides. Not thread-safe: the manager uses it on its worker only.
 */
final class UplinkHealth {
    static final int LOSS_WINDOW = 20;

    private final int downAfter;
    private final int upAfter;
    private final boolean probed;
    private UplinkState.Health state = UplinkState.Health.UNKNOWN;
    private Instant since;
    private boolean carrier;
    private int good;
    private int bad;
    private Optional<Instant> firstFailure = Optional.empty();
    private Optional<Duration> lastRtt = Optional.empty();
    private final Deque<Boolean> recent = new ArrayDeque<>();
    private String reason = "not probed yet";

    UplinkHealth(int downAfter, int upAfter, boolean probed, Instant now) {
        this.downAfter = downAfter;
        this.upAfter = upAfter;
        this.probed = probed;
        this.since = now;
    }

    /** An uplink the previous run of the manager had selected: trusted until its probes say otherwise. */
    UplinkHealth assumeUp(Instant now) {
        state = UplinkState.Health.UP;
        since = now;
        reason = "selected before a restart";
        return this;
    }

    void carrier(boolean up, Instant now) {
        if (up == carrier) {
            return;
        }
        carrier = up;
        if (!up) {
            good = 0;
            firstFailure = Optional.of(now);
            set(UplinkState.Health.DOWN, "lost carrier", now);
        } else if (!probed) {
            set(UplinkState.Health.UP, "carrier", now);
        } else {
            bad = 0; // probes decide from here
        }
    }

    /** One probe round: good when enough targets (the quorum) answered. */
    void round(boolean ok, Optional<Duration> rtt, Instant now) {
        recent.addLast(ok);
        while (recent.size() > LOSS_WINDOW) {
            recent.removeFirst();
        }
        if (ok) {
            lastRtt = rtt.isPresent() ? rtt : lastRtt;
            good++;
            bad = 0;
            boolean fresh = state == UplinkState.Health.UNKNOWN;
            if (carrier && (fresh || good >= upAfter) && state != UplinkState.Health.UP) {
                firstFailure = Optional.empty();
                set(UplinkState.Health.UP, fresh ? "probe answered" : good + " probes answered in a row", now);
            }
            return;
        }
        good = 0;
        if (bad++ == 0 && state != UplinkState.Health.DOWN) {
            firstFailure = Optional.of(now);
        }
        if (bad >= downAfter && state != UplinkState.Health.DOWN) {
            set(UplinkState.Health.DOWN, bad + " probes failed in a row", now);
        } else if (state == UplinkState.Health.UP) {
            set(UplinkState.Health.DEGRADED, "a probe failed", now);
        }
    }

    private void set(UplinkState.Health next, String why, Instant now) {
        if (next != state) {
            state = next;
            since = now;
        }
        reason = why;
    }

    UplinkState.Health state() {
        return state;
    }

    boolean usable() {
        return carrier && (state == UplinkState.Health.UP || state == UplinkState.Health.DEGRADED);
    }

    boolean carrier() {
        return carrier;
    }

    Instant since() {
        return since;
    }

    String reason() {
        return reason;
    }

    /** When the current problem was first seen (the first failed probe, the carrier loss). */
    Optional<Instant> firstFailure() {
        return firstFailure;
    }

    Optional<Duration> lastRtt() {
        return lastRtt;
    }

    /** A plain loop: the status is worked out after every probe round. */
    double loss() {
        int lost = 0;
        for (boolean ok : recent) {
            lost += ok ? 0 : 1;
        }
        return recent.isEmpty() ? 0 : lost / (double) recent.size();
    }
}
