package io.isthmus.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * What the gateway still waits for before it is ready: bundles not active, components not satisfied.
 * A pure function of the observed states, so it can be tested without a framework.
 */
record Pending(List<String> bundles, List<String> components) {

    /** A bundle as observed: name, state (org.osgi.framework.Bundle constants), fragment or not. */
    record BundleView(String name, int state, boolean fragment) {
    }

    /**
     * A component configuration as observed. {@code requiresConfig} with no configuration at all means the
     * component waits for configuration that nobody gave: legitimate (e.g. factory configurations), not pending.
     */
    record ComponentView(String name, boolean enabled, boolean requiresConfig, List<Integer> states) {
    }

    static final int BUNDLE_ACTIVE = 32;
    static final IntPredicate SATISFIED = s -> s == 4 || s == 8; // SATISFIED, ACTIVE

    static Pending of(List<BundleView> bundles, List<ComponentView> components) {
        List<String> b = new ArrayList<>();
        for (BundleView v : bundles) {
            if (!v.fragment() && v.state() != BUNDLE_ACTIVE) {
                b.add(v.name());
            }
        }
        List<String> c = new ArrayList<>();
        for (ComponentView v : components) {
            if (!v.enabled() || (v.requiresConfig() && v.states().isEmpty())) {
                continue;
            }
            if (v.states().isEmpty() || !v.states().stream().allMatch(SATISFIED::test)) {
                c.add(v.name());
            }
        }
        return new Pending(List.copyOf(b), List.copyOf(c));
    }

    boolean none() {
        return bundles.isEmpty() && components.isEmpty();
    }

    @Override
    public String toString() {
        return "bundles not active: " + bundles + ", components not satisfied: " + components;
    }
}
