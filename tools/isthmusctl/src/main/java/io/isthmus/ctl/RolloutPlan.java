package io.isthmus.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who gets the update in which order: the canaries first (all must commit), then the others in waves of a fixed
 * size. A pure function of the target list, the canary choice and the wave size.
 */
record RolloutPlan(List<String> canaries, List<List<String>> waves, FailureBudget budget) {

    /** When to stop: more than {@code maxFailures} failed devices, or more than {@code maxRatePercent} of the fleet. */
    record FailureBudget(int maxFailures, Optional<Double> maxRatePercent) {
        boolean exceeded(int failures, int fleetSize) {
            return failures > maxFailures
                    || maxRatePercent.map(p -> failures * 100.0 > p * fleetSize).orElse(false);
        }

        static FailureBudget unlimited() {
            return new FailureBudget(Integer.MAX_VALUE, Optional.empty());
        }
    }

    RolloutPlan {
        canaries = List.copyOf(canaries);
        waves = waves.stream().map(List::copyOf).toList();
    }

    static RolloutPlan of(List<String> devices, List<String> canaries, int waveSize, FailureBudget budget) {
        Set<String> unique = new LinkedHashSet<>(devices);
        for (String c : canaries) {
            if (!unique.contains(c)) {
                throw new IllegalArgumentException("canary " + c + " is not one of the rollout's devices");
            }
        }
        List<String> rest = unique.stream().filter(d -> !canaries.contains(d)).toList();
        int size = waveSize <= 0 ? Math.max(1, rest.size()) : waveSize;
        List<List<String>> waves = new ArrayList<>();
        for (int i = 0; i < rest.size(); i += size) {
            waves.add(rest.subList(i, Math.min(rest.size(), i + size)));
        }
        return new RolloutPlan(List.copyOf(new LinkedHashSet<>(canaries)), waves, budget);
    }

    int size() {
        return canaries.size() + waves.stream().mapToInt(List::size).sum();
    }

    /** Every device of the rollout in plan order. */
    List<String> devices() {
        List<String> all = new ArrayList<>(canaries);
        waves.forEach(all::addAll);
        return all;
    }

    /**
     * The devices of a rollout: one DEVICE, {@code --devices a,b,c}, or {@code --group G} of an inventory file
     * ({@code {"groups": {"line-3": ["gw-1", …]}, "canary": ["gw-1"]}}).
     */
    record Targets(List<String> devices, List<String> inventoryCanaries) {
        static Targets resolve(Optional<String> device, List<String> devices, Optional<String> group,
                Optional<Path> inventory) throws IOException {
            int given = (device.isPresent() ? 1 : 0) + (devices.isEmpty() ? 0 : 1) + (group.isPresent() ? 1 : 0);
            if (given != 1) {
                throw new IllegalArgumentException("name the devices: DEVICE, --devices a,b,c or --group G");
            }
            if (device.isPresent()) {
                return new Targets(List.of(device.get()), List.of());
            }
            if (!devices.isEmpty()) {
                return new Targets(List.copyOf(new LinkedHashSet<>(devices)), List.of());
            }
            Path file = inventory.orElseThrow(() -> new IllegalArgumentException(
                    "--group needs an inventory: --inventory FILE or $ISTHMUS_INVENTORY"));
            JsonNode inv;
            try {
                inv = Channel.JSON.readTree(file.toFile());
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new IllegalArgumentException(file + ": not JSON: " + e.getOriginalMessage());
            }
            JsonNode members = inv.path("groups").path(group.get());
            if (!members.isArray() || members.isEmpty()) {
                throw new IllegalArgumentException(file + ": no group " + group.get() + " at /groups/" + group.get());
            }
            List<String> list = new ArrayList<>();
            members.forEach(m -> list.add(m.asText()));
            List<String> canaries = new ArrayList<>();
            inv.path("canary").forEach(c -> {
                if (list.contains(c.asText())) {
                    canaries.add(c.asText());
                }
            });
            return new Targets(List.copyOf(new LinkedHashSet<>(list)), canaries);
        }

        /** {@code --canary}: a count (the first N devices), a list of names, or absent (the inventory's). */
        List<String> canaries(Optional<String> spec) {
            if (spec.isEmpty()) {
                return inventoryCanaries;
            }
            String s = spec.get().strip();
            if (s.matches("\\d+")) {
                return devices.subList(0, Math.min(devices.size(), Integer.parseInt(s)));
            }
            return List.of(s.split("\\s*,\\s*"));
        }
    }
}
