package io.isthmus.api.routing;

import java.util.Map;

/** The per-port routing tables the routing bundle owns (port name → kernel table id). */
public interface RoutingTables {
    Map<String, Integer> tableByPort();
}
