package io.isthmus.uplink;

import io.isthmus.api.config.UplinkConfig;
import io.isthmus.api.config.UplinkConfig.EqualCost;
import io.isthmus.api.uplink.UplinkSelection.Weighted;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The cost rules as a pure function: which uplinks carry the default route. The usable (healthy, with carrier)
 * uplinks are ranked by (data cap reached, cost): a capped uplink is a last resort. The best rank is selected:
 * all of it sharing load ({@link EqualCost#MULTIPATH}), or one of it, the current one if it is among them.
 * Leaving an uplink that failed or reached its cap happens at once; any other change (failback to a cheaper
 * one, another joining) waits until the current selection has held for the minimum dwell time.
 */
final class Selector {
    private Selector() {
    }

    /** What the manager knows of one uplink; {@code order} is its place in the document. */
    record Candidate(String port, int cost, int order, boolean usable, boolean capped, int weight) {
        Candidate(String port, int cost, int order, boolean usable, boolean capped) {
            this(port, cost, order, usable, capped, 1);
        }

    }

    /** The selection and since when it holds; {@code reason} says why it is what it is. */
    record Decision(List<Weighted> selection, Instant since, String reason) {
        static final Decision NONE = new Decision(List.of(), Instant.EPOCH, "no uplink is up");

        Optional<String> active() {
            return selection.stream().map(Weighted::port).findFirst();
        }
    }

    /** Both paths' decisions: the management path (main default route) and the data path. */
    record Paths(Decision management, Decision data) {
        /** Nothing decided anew (the decide calls return the current decision itself when nothing changes). */
        boolean sameAs(Paths other) {
            return management == other.management && data == other.data;
        }
    }

    /**
     * The same cost rules pick each path among the uplinks allowed to carry it. Unless the document splits the
     * paths ({@code split}), one decision is both: the data path is the management path, as without the lists.
     */
    static Paths decidePaths(List<Candidate> candidates, UplinkConfig cfg, boolean split, Paths current,
            Duration minDwell, Instant now) {
        Decision management = decide(candidates.stream().filter(c -> cfg.mayCarryManagement(c.port())).toList(),
                cfg.equalCost(), current.management(), minDwell, now);
        Decision data = split ? decide(candidates.stream().filter(c -> cfg.mayCarryData(c.port())).toList(),
                cfg.equalCost(), current.data(), minDwell, now) : management;
        return new Paths(management, data);
    }

    static Decision decide(List<Candidate> candidates, EqualCost mode, Decision current, Duration minDwell,
            Instant now) {
        Comparator<Candidate> rank = Comparator.comparing(Candidate::capped).thenComparingInt(Candidate::cost);
        List<Candidate> usable = candidates.stream().filter(Candidate::usable)
                .sorted(rank.thenComparingInt(Candidate::order)).toList();
        List<Weighted> wanted = usable.isEmpty() ? List.of() : best(usable, rank, mode, current);
        if (wanted.equals(current.selection())) {
            return current;
        }
        Optional<Candidate> lost = current.selection().stream()
                .map(w -> candidates.stream().filter(c -> c.port().equals(w.port())).findFirst())
                .flatMap(Optional::stream).filter(c -> !c.usable() || c.capped()).findFirst();
        boolean gone = current.selection().stream().anyMatch(w -> candidates.stream()
                .noneMatch(c -> c.port().equals(w.port())));
        if (lost.isEmpty() && !gone && !current.selection().isEmpty()
                && Duration.between(current.since(), now).compareTo(minDwell) < 0) {
            return current; // voluntary change: not before the dwell time
        }
        String reason = wanted.isEmpty() ? "no uplink is up"
                : lost.map(c -> c.port() + (c.usable() ? " reached its data cap" : " is down"))
                        .orElse(current.selection().isEmpty() ? "first healthy uplink"
                                : gone ? "uplink removed from the document" : "cheaper uplink healthy again");
        return new Decision(wanted, now, reason);
    }

    private static List<Weighted> best(List<Candidate> usable, Comparator<Candidate> rank, EqualCost mode,
            Decision current) {
        Candidate top = usable.get(0);
        List<Candidate> group = usable.stream().filter(c -> rank.compare(c, top) == 0).toList();
        if (mode == EqualCost.MULTIPATH) {
            return group.stream().map(c -> new Weighted(c.port(), c.weight())).toList();
        }
        Candidate keep = group.stream().filter(c -> current.active().equals(Optional.of(c.port()))).findFirst()
                .orElse(top);
        return List.of(new Weighted(keep.port(), 1));
    }
}
