package io.isthmus.services;

import io.isthmus.api.config.ApplyException;
import io.isthmus.api.config.ApplyTimeout;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.ReconcileWorker;
import io.isthmus.api.config.SectionApplier;
import io.isthmus.api.linux.DhcpClients;
import io.isthmus.api.linux.DhcpLease;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.LocalServers;
import io.isthmus.api.linux.LocalService;
import io.isthmus.api.linux.Resolver;
import io.isthmus.api.linux.TimeKeeper;
import io.isthmus.api.linux.TimeSync;
import io.isthmus.api.uplink.UplinkStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Runs {@link ServicesPlan}: the linux bundle's DHCP/DNS servers on exactly the ports the document names, and its
 * NTP client (serving time to the ports the {@code time} part names) when there is one. Applied
 * after the firewall, whose table already has the openings ({@link ServicesOpenings}) in the same write. DNS
 * forwarding follows the gateway's own resolvers (those of the active uplink, or the document's {@code /dns}),
 * checked every {@link #CHECK} while a port forwards DNS: an uplink switch reaches the forwarders within a second.
 * A {@code time} part that names no servers follows the NTP servers (option 42) of the active uplink's DHCP lease,
 * checked every {@link #CHECK} too. Otherwise there is nothing to follow, and the drift check runs every
 * {@link #SAFETY_CHECK} (idle CPU). The servers are not
 * stopped when this bundle stops (an update must not disturb the clients); the linux bundle owns them.
 */
@Component(immediate = true, service = SectionApplier.class, property = {
        SectionApplier.NAME + "=" + ServicesSection.NAME, SectionApplier.AFTER + "=firewall"})
public class LocalNetworkServices implements SectionApplier {
    static final Duration CHECK = Duration.ofSeconds(1);
    static final Duration SAFETY_CHECK = Duration.ofSeconds(60);

    private final LocalServers servers;
    private final TimeKeeper time;
    private final Resolver resolver;
    private final DhcpClients dhcp;
    /** The active uplink, whose lease's NTP servers the clock uses when the document names none; optional. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile UplinkStatus uplinks;
    private final Logger log;
    private final ReconcileWorker worker;
    /** How long an apply may take on the worker: {@link ApplyTimeout}. */
    private final Duration applyTimeout;
    /** Worker thread only: whether a served port forwards DNS, so the resolvers must be followed closely. */
    private boolean forwarding;
    /** Worker thread only: whether the clock's servers come from the active uplink's lease, so it is followed. */
    private boolean followsLease;
    private volatile Optional<NetworkDocument> document = Optional.empty();
    /** Worker thread only: what was last served, for the log. */
    private List<LocalService> served = List.of();

    @Activate
    public LocalNetworkServices(BundleContext context, @Reference(name = "servers") LocalServers servers,
            @Reference(name = "resolver") Resolver resolver, @Reference(name = "time") TimeKeeper time,
            @Reference(name = "dhcp") DhcpClients dhcp,
            @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this.servers = servers;
        this.dhcp = dhcp;
        this.time = time;
        this.resolver = resolver;
        this.log = log;
        this.applyTimeout = ApplyTimeout.of(context, log::error);
        this.worker = new ReconcileWorker("services", this::reconcile, () -> forwarding || followsLease ? CHECK
                : SAFETY_CHECK, log::warn);
    }

    @Deactivate
    void deactivate() {
        worker.close();
    }

    @Override
    public void apply(NetworkDocument doc) throws ApplyException {
        worker.apply(() -> document = Optional.of(doc), applyTimeout);
    }

    @Override
    public List<String> preview(NetworkDocument doc) {
        List<String> changes = new ArrayList<>();
        List<LocalService> now = servers.served();
        for (LocalService s : ServicesPlan.services(doc, resolver.nameservers())) {
            if (!now.contains(s)) {
                changes.add("serve on " + s.device() + ": " + describe(s));
            }
        }
        Optional<TimeSync> sync = ServicesPlan.time(doc, uplinkNtp());
        if (!sync.equals(time.kept())) {
            changes.add(sync.map(LocalNetworkServices::describe).orElse("stop keeping the clock"));
        }
        return changes;
    }

    private void reconcile() throws KernelException {
        if (document.isEmpty()) {
            return;
        }
        List<LocalService> wanted = ServicesPlan.services(document.get(), resolver.nameservers());
        servers.serve(wanted);
        forwarding = ServicesPlan.followsResolvers(document.get());
        followsLease = ServicesPlan.followsLease(document.get());
        Optional<TimeSync> sync = ServicesPlan.time(document.get(), followsLease ? uplinkNtp() : Optional.empty());
        if (!sync.equals(time.kept())) {
            time.keep(sync);
            log.info("services: " + sync.map(LocalNetworkServices::describe).orElse("clock left to the system"));
        }
        if (!wanted.equals(served)) {
            wanted.forEach(s -> log.info("services: " + s.device() + ": " + describe(s)));
            served = wanted;
        }
    }

    /** The active uplink's lease's NTP servers (option 42), if it has a DHCP lease with some. */
    private Optional<ServicesPlan.UplinkNtp> uplinkNtp() {
        UplinkStatus u = uplinks;
        return Optional.ofNullable(u).flatMap(UplinkStatus::active).flatMap(a -> dhcp.lease(a)
                .map(DhcpLease::ntp).filter(l -> !l.isEmpty()).map(l -> new ServicesPlan.UplinkNtp(a, l)));
    }

    static String describe(TimeSync t) {
        return "time from " + String.join(", ", t.servers()) + " (" + t.origin() + ")"
                + (t.serve().isEmpty() ? ", served to nobody"
                : ", served to " + t.serve().stream().map(c -> c.network().toString()).toList());
    }

    static String describe(LocalService s) {
        StringBuilder b = new StringBuilder();
        s.dhcp().ifPresent(d -> b.append("DHCP ").append(d.first()).append('-').append(d.last())
                .append(d.router() ? " with router" : " without router").append(", ")
                .append(d.reservations().size()).append(" reservation(s); "));
        b.append(s.dns() ? (s.upstream().isEmpty() ? "DNS local names only" : "DNS forwarding to " + s.upstream())
                : "no DNS");
        return b.toString();
    }
}
