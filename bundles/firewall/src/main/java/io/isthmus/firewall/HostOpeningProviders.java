package io.isthmus.firewall;

import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.firewall.HostOpenings;
import io.isthmus.api.net.PortRole;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * The {@link HostOpenings} services registered now. Their openings for a document, sorted and each once, keep only
 * udp/tcp to a port of the document that is not an uplink: a provider cannot open the box to the ISP side.
 * {@link #generation()} changes whenever a provider comes or goes, so a plan made before is made again.
 */
final class HostOpeningProviders {
    private static final Pattern PROTOCOL = Pattern.compile("udp|tcp");
    private final List<HostOpenings> providers = new CopyOnWriteArrayList<>();
    private volatile int generation;

    void add(HostOpenings p) {
        providers.add(p);
        generation++;
    }

    void remove(HostOpenings p) {
        providers.remove(p);
        generation++;
    }

    int generation() {
        return generation;
    }

    List<HostOpenings.Opening> openings(NetworkDocument doc) {
        Set<HostOpenings.Opening> all = new LinkedHashSet<>();
        for (HostOpenings p : providers) {
            for (HostOpenings.Opening o : p.openings(doc)) {
                PortConfig port = doc.ports().get(o.port());
                if (port != null && port.role() != PortRole.UPLINK && PROTOCOL.matcher(o.protocol()).matches()
                        && o.dport() > 0 && o.dport() < 65536) {
                    all.add(o);
                }
            }
        }
        List<HostOpenings.Opening> sorted = new ArrayList<>(all);
        // the same openings give the same table digest whatever order the providers came in
        sorted.sort(java.util.Comparator.comparing(HostOpenings.Opening::port)
                .thenComparing(HostOpenings.Opening::dport).thenComparing(HostOpenings.Opening::protocol)
                .thenComparing(HostOpenings.Opening::service));
        return sorted;
    }
}
