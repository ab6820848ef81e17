package io.isthmus.routing;

import io.isthmus.api.linux.KernelChange;
import io.isthmus.api.linux.Route;
import io.isthmus.api.linux.Rule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The kernel writes that turn the observed state into the plan: a pure function. Only routes and rules
 * tagged with Isthmus' protocol are ever removed — plus default routes someone else put on an offline port.
 * Routes are replaced before stale ones are removed, so a default route is never missing in between. What belongs
 * to a port whose driver is away (stopped, being updated) is left alone.
 */
final class RoutingDiff {
    private RoutingDiff() {
    }

    static List<KernelChange> changes(RoutingPlan plan, List<Route> observedRoutes, List<Rule> observedRules,
            Map<String, Optional<String>> observedSysctls, List<String> offlinePorts) {
        List<KernelChange> changes = new ArrayList<>();
        plan.sysctls().forEach((key, value) -> {
            Optional<String> now = observedSysctls.getOrDefault(key, Optional.empty());
            if (now.isPresent() && !now.get().trim().equals(value)) {
                changes.add(new KernelChange.SetSysctl(key, value));
            }
        });

        Set<Rule> ownedRules = new HashSet<>();
        for (Rule r : observedRules) {
            if (r.ownedByIsthmus()) {
                ownedRules.add(RoutingPlan.comparable(r));
            }
        }
        for (Rule r : ownedRules) {
            if (!plan.rules().contains(r) && !plan.unknown().covers(r)) {
                changes.add(new KernelChange.RemoveRule(r));
            }
        }
        for (Rule r : plan.rules()) {
            if (!ownedRules.contains(r)) {
                changes.add(new KernelChange.AddRule(r));
            }
        }

        Set<Route> owned = new HashSet<>();
        for (Route r : observedRoutes) {
            if (r.ownedByIsthmus()) {
                owned.add(RoutingPlan.comparable(r));
            }
        }
        Set<RoutingPlan.RouteKey> wantedKeys = new HashSet<>();
        for (Route r : plan.routes()) {
            wantedKeys.add(RoutingPlan.RouteKey.of(r));
            if (!owned.contains(r)) {
                changes.add(new KernelChange.ReplaceRoute(r));
            }
        }
        for (Route r : owned) {
            // a route with the key of a wanted one was just replaced in place by the kernel
            if (!plan.routes().contains(r) && !wantedKeys.contains(RoutingPlan.RouteKey.of(r))
                    && !plan.unknown().covers(r)) {
                changes.add(new KernelChange.RemoveRoute(r));
            }
        }
        for (Route r : observedRoutes) {
            if (!r.ownedByIsthmus() && r.isDefault() && r.device().filter(offlinePorts::contains).isPresent()) {
                changes.add(new KernelChange.RemoveRoute(r));
            }
        }
        return changes;
    }
}
