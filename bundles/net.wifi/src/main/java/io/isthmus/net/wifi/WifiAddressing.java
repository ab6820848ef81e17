package io.isthmus.net.wifi;

import io.isthmus.api.config.ApplyException;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.config.ReconcileWorker;
import io.isthmus.api.net.Ipv4Addressing;
import java.util.Optional;
import org.osgi.service.log.Logger;

/**
 * The IPv4 of the WiFi ports, through {@link Ipv4Addressing} (the Ethernet code path): assigned once a port is
 * associated (and authorized), released when it is not; on the reconcile worker.
 */
final class WifiAddressing {
    private final ReconcileWorker worker;
    private final Runnable republish;
    private final Logger log;
    private volatile Optional<Ipv4Addressing> addressing = Optional.empty();

    /** {@code republish} runs on the worker when the addressing's status of a port changes. */
    WifiAddressing(ReconcileWorker worker, Runnable republish, Logger log) {
        this.worker = worker;
        this.republish = republish;
        this.log = log;
    }

    void bind(Ipv4Addressing service) {
        addressing = Optional.of(service);
    }

    void unbind(Ipv4Addressing service) {
        if (addressing.map(a -> a == service).orElse(false)) {
            addressing = Optional.empty();
        }
    }

    void assign(WifiPort state, PortConfig port) {
        if (state.assigned.filter(port::equals).isPresent()) {
            return;
        }
        Optional<Ipv4Addressing> a = addressing;
        if (a.isEmpty()) {
            state.problem = Optional.of("associated, but no IPv4 addressing service (the Ethernet bundle) is running");
            return;
        }
        try {
            a.get().assign(state.name, port, s -> {
                state.addressing = Optional.of(s);
                worker.execute(republish);
            });
            state.assigned = Optional.of(port);
            state.assignmentUnknown = false;
            log.info("wifi {}: connected; IPv4 {}", state.name, port.ipv4());
        } catch (ApplyException e) {
            state.problem = Optional.of("IPv4: " + e.getMessage());
        }
    }

    void release(WifiPort state) {
        if (state.assigned.isEmpty() && !state.assignmentUnknown) {
            return;
        }
        Optional<Ipv4Addressing> a = addressing;
        if (a.isEmpty()) {
            return;
        }
        try {
            a.get().release(state.name);
            if (state.assigned.isPresent()) {
                log.info("wifi {}: not connected; IPv4 released", state.name);
            }
            state.assigned = Optional.empty();
            state.assignmentUnknown = false;
            state.addressing = Optional.empty();
        } catch (ApplyException e) {
            log.warn("wifi {}: cannot release IPv4: {}", state.name, e.getMessage());
        }
    }

}
