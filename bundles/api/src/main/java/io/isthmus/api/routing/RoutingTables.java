package io.isthmus.api.routing;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/** The per-port routing tables the routing bundle owns (port name → kernel table id). */
@ProviderType
public interface RoutingTables {
    Map<String, Integer> tableByPort();
}
