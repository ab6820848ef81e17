package io.isthmus.uplink;

import io.isthmus.api.uplink.UplinkSelection.Weighted;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The selection kept in the bundle's data area across a restart or an update: a line {@code <port> <weight>} per
 * uplink of the management path (the only lines older versions wrote and read), and — when the document splits
 * management from data — a line {@code data}, then {@code data <port> <weight>} per uplink of the data path.
 * Older versions skip the {@code data} lines; without them the data path is the management path.
 *
 * @param data the data path, if it was saved apart from the management path
 */
record SavedSelection(List<Weighted> management, Optional<List<Weighted>> data) {
    private static final String DATA = "data";

    static SavedSelection parse(List<String> lines) {
        List<Weighted> management = new ArrayList<>();
        List<Weighted> data = new ArrayList<>();
        boolean split = false;
        for (String line : lines) {
            String[] p = line.trim().split(" ");
            if (p.length == 1 && p[0].equals(DATA)) {
                split = true;
            } else if (p.length == 2 && p[1].matches("\\d{1,3}")) {
                management.add(new Weighted(p[0], Integer.parseInt(p[1])));
            } else if (p.length == 3 && p[0].equals(DATA) && p[2].matches("\\d{1,3}")) {
                data.add(new Weighted(p[1], Integer.parseInt(p[2])));
            }
        }
        return new SavedSelection(List.copyOf(management), split ? Optional.of(List.copyOf(data)) : Optional.empty());
    }

    static String serialize(List<Weighted> management, Optional<List<Weighted>> data) {
        StringBuilder b = new StringBuilder();
        management.forEach(w -> b.append(w.port()).append(' ').append(w.weight()).append('\n'));
        data.ifPresent(d -> {
            b.append(DATA).append('\n');
            d.forEach(w -> b.append(DATA).append(' ').append(w.port()).append(' ').append(w.weight()).append('\n'));
        });
        return b.toString();
    }
}
