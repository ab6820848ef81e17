package io.isthmus.config.impl;

import io.isthmus.api.config.ApplyException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The order appliers run in: every "after" and "before" constraint between registered appliers holds, and among
 * appliers free to run the older registration goes first, so the order is the same on every boot. Names no
 * registered applier has are ignored: the capability is not in this profile.
 */
final class ApplyOrder {
    /** One registered applier: its name, what it must follow and precede, and its registration rank. */
    record Entry<T>(String name, Set<String> after, Set<String> before, long serviceId, T value) {
    }

    private ApplyOrder() {
    }

    /** The values in apply order; an {@link ApplyException} naming the cycle when the constraints have one. */
    static <T> List<T> sort(Collection<Entry<T>> entries) throws ApplyException {
        List<Entry<T>> all = new ArrayList<>(entries);
        Map<Entry<T>, Set<Entry<T>>> next = new HashMap<>();
        Map<Entry<T>, Integer> waitingFor = new HashMap<>();
        all.forEach(e -> {
            next.put(e, new LinkedHashSet<>());
            waitingFor.put(e, 0);
        });
        for (Entry<T> e : all) {
            for (Entry<T> other : all) {
                if (e.after().contains(other.name()) || other.before().contains(e.name())) {
                    if (next.get(other).add(e)) {
                        waitingFor.merge(e, 1, Integer::sum);
                    }
                }
            }
        }
        PriorityQueue<Entry<T>> free = new PriorityQueue<>(Comparator.comparingLong(Entry::serviceId));
        all.stream().filter(e -> waitingFor.get(e) == 0).forEach(free::add);
        List<T> ordered = new ArrayList<>();
        while (!free.isEmpty()) {
            Entry<T> e = free.poll();
            ordered.add(e.value());
            for (Entry<T> n : next.get(e)) {
                if (waitingFor.merge(n, -1, Integer::sum) == 0) {
                    free.add(n);
                }
            }
        }
        if (ordered.size() < all.size()) {
            List<String> cycle = cycle(all.stream().filter(e -> waitingFor.get(e) > 0).toList(), next);
            throw new ApplyException("the apply order has a cycle (each must apply before the next): "
                    + String.join(" -> ", cycle));
        }
        return ordered;
    }

    /**
     * A cycle among the entries left waiting: each of them waits for another of them, so walking back from any
     * of them along what it waits for comes round to an entry already seen.
     */
    private static <T> List<String> cycle(List<Entry<T>> stuck, Map<Entry<T>, Set<Entry<T>>> next) {
        List<Entry<T>> back = new ArrayList<>();
        Entry<T> at = stuck.get(0);
        while (!back.contains(at)) {
            back.add(at);
            Entry<T> from = at;
            at = stuck.stream().filter(s -> next.get(s).contains(from)).findFirst().orElseThrow();
        }
        List<String> names = new ArrayList<>();
        names.add(at.name());
        for (int i = back.size() - 1; i >= back.indexOf(at); i--) {
            names.add(back.get(i).name());
        }
        return names;
    }
}
