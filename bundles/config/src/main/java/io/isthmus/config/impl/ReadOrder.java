package io.isthmus.config.impl;

import io.isthmus.api.json.JsonValue;
import io.isthmus.config.impl.Whiteboard.NamedReader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The order section readers run in: each after the sections it reads after ({@code isthmus.read.after}), otherwise
 * in the document format's order. A reader that needs a section nobody reads, or that waits for itself through
 * others, cannot run: {@link #unreadable} says why, for the error at its section's pointer.
 */
final class ReadOrder {
    private final Map<String, NamedReader> bySection = new LinkedHashMap<>();
    private final List<NamedReader> ordered = new ArrayList<>();
    private final Map<String, String> unreadable = new LinkedHashMap<>();
    private final List<String> path = new ArrayList<>();

    ReadOrder(List<NamedReader> readers) {
        // The first registration of a section owns it; the document format's order first, then by name.
        readers.forEach(r -> bySection.putIfAbsent(r.section(), r));
        bySection.values().stream().sorted(Comparator.comparingInt((NamedReader r) -> DocumentParser.rank(r.section()))
                .thenComparing(NamedReader::section)).toList().forEach(this::visit);
    }

    /** The sections readers own, in the order they are read. */
    List<NamedReader> ordered() {
        return List.copyOf(ordered);
    }

    /** Why the reader of {@code section} cannot run, if it cannot. */
    Optional<String> unreadable(String section) {
        return Optional.ofNullable(unreadable.get(section));
    }

    /** The sections readers own, in the document format's order. */
    List<String> sections() {
        return bySection.keySet().stream().sorted(Comparator.comparingInt(DocumentParser::rank)
                .thenComparing(Comparator.naturalOrder())).toList();
    }

    private void visit(NamedReader reader) {
        String section = reader.section();
        if (ordered.contains(reader) || unreadable.containsKey(section)) {
            return;
        }
        if (path.contains(section)) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(section), path.size()));
            cycle.add(section);
            String why = "the readers of sections " + String.join(" -> ", cycle) + " each read after the next";
            cycle.forEach(s -> unreadable.putIfAbsent(s, why));
            return;
        }
        path.add(section);
        for (String needed : reader.after().stream().sorted().toList()) {
            if (DocumentParser.CORE.contains(needed)) {
                continue;
            }
            NamedReader other = bySection.get(needed);
            if (other == null) {
                unreadable.putIfAbsent(section, "it is read after section " + JsonValue.quote(needed)
                        + ", which no installed capability reads");
            } else {
                visit(other);
                if (unreadable.containsKey(needed)) {
                    unreadable.putIfAbsent(section, "it is read after section " + JsonValue.quote(needed)
                            + ", which cannot be read");
                }
            }
        }
        path.remove(path.size() - 1);
        if (!unreadable.containsKey(section)) {
            ordered.add(reader);
        }
    }
}
