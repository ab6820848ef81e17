package io.isthmus.net.ethernet;

import io.isthmus.api.config.ApplyException;
import io.isthmus.api.config.ApplyTimeout;
import io.isthmus.api.config.Ipv4Config;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.config.ReconcileWorker;
import io.isthmus.api.config.SectionApplier;
import io.isthmus.api.linux.DhcpClients;
import io.isthmus.api.linux.DhcpLease;
import io.isthmus.api.linux.InterfaceAddress;
import io.isthmus.api.linux.Kernel;
import io.isthmus.api.linux.KernelChange;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.KernelStateListener;
import io.isthmus.api.linux.Link;
import io.isthmus.api.linux.LinkListener;
import io.isthmus.api.linux.Neighbour;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Addressing;
import io.isthmus.api.net.PortDriver;
import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortRole;
import io.isthmus.api.net.PortStatus;
import io.isthmus.api.net.PortStatusBoard;
import io.isthmus.api.net.PortStatusListener;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.runtime.DataFile;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * The Ethernet driver: for every port of kind ethernet in the document, link up, MTU and MAC as asked,
 * IPv4 static or by DHCP (the lease is applied here, never by the DHCP client), DNS per port, counters.
 * Reconciles on every document, link event, lease change and kernel address event (drift: an address deleted
 * from outside), and every {@link #DRIFT_CHECK} anyway; every {@link #COUNTERS_CAPPED} while the document puts a
 * data cap on an uplink, so that the ports' counters in the status follow the cap's count.
 * <p>
 * It is also the IPv4 layer of ports whose link another driver brings up ({@link Ipv4Addressing}: WiFi,
 * cellular), so every kind of port gets addresses, leases and drift repair from this one code path. A port
 * of such a kind that no driver has assigned (yet) is left exactly as it is: while the WiFi bundle is
 * being updated, or before it has applied the document, its addresses stay.
 */
@Component(immediate = true, service = {PortDriver.class, SectionApplier.class, LinkListener.class,
        Ipv4Addressing.class, KernelStateListener.class}, property = {"port.kind=ethernet",
                SectionApplier.NAME + "=ethernet", SectionApplier.BEFORE + "=uplink", SectionApplier.BEFORE + "=routing"})
public class EthernetDriver implements PortDriver, SectionApplier, LinkListener, Ipv4Addressing,
        KernelStateListener {
    static final Duration DRIFT_CHECK = Duration.ofSeconds(60);
    static final Duration COUNTERS_CAPPED = Duration.ofSeconds(2);
    /** How long a DHCP port keeps its previous address while its new client has not got a lease yet. */
    static final Duration DHCP_CARRY_OVER = Duration.ofSeconds(60);

    private final Kernel kernel;
    private final DhcpClients dhcp;
    private final Logger log;
    private final OwnedAddresses ownedStore;
    private final PortStatusBoard board = new PortStatusBoard();
    private final Map<String, DhcpLease> leases = new ConcurrentHashMap<>();
    private final ReconcileWorker worker;
    /** How long an apply may take on the worker: {@link ApplyTimeout}. */
    private final Duration applyTimeout;

    /** Empty until the first document: before that there is nothing to reconcile (and nothing to remove). */
    private volatile Optional<Map<String, PortConfig>> ports = Optional.empty();
    /** The document caps an uplink's data: counters are read more often. */
    private volatile boolean capped;
    /** Ports of the document that other drivers bring up (WiFi, cellular). */
    private volatile Set<String> otherKinds = Set.of();
    /** What those drivers asked for; written on the worker only. */
    private final Map<String, Assignment> assigned = new ConcurrentHashMap<>();
    /** Ports whose driver said: no IPv4 now (bearer down); their addresses go. */
    private final Set<String> released = ConcurrentHashMap.newKeySet();
    /** The status of the assigned ports, told to their drivers (the Ethernet ports' is on the board). */
    private volatile Map<String, PortStatus> assignedStatus = Map.of();
    private Set<InterfaceAddress> owned;
    private final Set<String> dhcpRunning = new HashSet<>();
    private final Map<String, Instant> waitingForFirstLease = new HashMap<>();
    private final Map<String, Instant> leaseObtained = new HashMap<>();
    private final LeaseCache leaseCache;
    private final Map<String, DhcpLease> previousLeases;

    @Activate
    public EthernetDriver(BundleContext context, @Reference(name = "kernel") Kernel kernel,
            @Reference(name = "dhcp") DhcpClients dhcp,
            @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this.applyTimeout = ApplyTimeout.of(context, log::error);
        this.kernel = kernel;
        this.dhcp = dhcp;
        this.log = log;
        this.ownedStore = new OwnedAddresses(DataFile.of(context, "owned-addresses"));
        this.owned = ownedStore.load();
        this.leaseCache = new LeaseCache(DataFile.of(context, "dhcp-leases"));
        this.previousLeases = new HashMap<>(leaseCache.load(Instant.now()));
        this.worker = new ReconcileWorker("ethernet", this::reconcile,
                () -> capped ? COUNTERS_CAPPED : DRIFT_CHECK, log::warn);
    }

    @Deactivate
    void deactivate() {
        worker.close();
        // addresses stay in the kernel while we are away; the next version adopts them
        dhcpRunning.forEach(dhcp::stop);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(PortStatusListener listener) {
        board.add(listener);
    }

    void removeListener(PortStatusListener listener) {
        board.remove(listener);
    }

    @Override
    public PortKind kind() {
        return PortKind.ETHERNET;
    }

    @Override
    public List<PortStatus> status() {
        return board.all();
    }

    @Override
    public void apply(NetworkDocument document) throws ApplyException {
        Map<String, PortConfig> mine = ethernetPorts(document);
        Set<String> others = new HashSet<>(document.ports().keySet());
        others.removeAll(mine.keySet());
        worker.apply(() -> {
            ports = Optional.of(Map.copyOf(mine));
            otherKinds = Set.copyOf(others);
            capped = !document.uplink().dataCaps().isEmpty();
        }, applyTimeout);
    }

    private record Assignment(PortConfig config, PortStatusListener listener) {
    }

    @Override
    public void assign(String port, PortConfig config, PortStatusListener listener) throws ApplyException {
        worker.apply(() -> {
            assigned.put(port, new Assignment(config, listener));
            released.remove(port);
            // a new listener (the driver came back) hears the current status before assign returns, so its first
            // status of an adopted port has the addresses; the pass that follows tells it of any change
            Optional.ofNullable(assignedStatus.get(port)).ifPresent(s -> tell(listener, s));
        }, applyTimeout);
    }

    @Override
    public void release(String port) throws ApplyException {
        worker.apply(() -> {
            assigned.remove(port);
            released.add(port);
        }, applyTimeout);
    }

    private void tell(PortStatusListener listener, PortStatus s) {
        try {
            listener.portChanged(s);
        } catch (RuntimeException e) {
            log.warn("ethernet: status listener of " + s.name() + " failed: " + e);
        }
    }

    @Override
    public List<String> preview(NetworkDocument document) throws ApplyException {
        Map<String, PortConfig> mine = ethernetPorts(document);
        return worker.call(() -> {
            Map<String, Link> links = new LinkedHashMap<>();
            for (Link l : kernel.links()) {
                links.put(l.name(), l);
            }
            EthernetPlan plan = EthernetPlan.of(mine, links, leases);
            List<String> lines = new ArrayList<>();
            plan.changes(new HashSet<>(kernel.addresses()), owned).forEach(c -> lines.add(c.toString()));
            plan.dhcpPorts().stream().filter(p -> !dhcpRunning.contains(p)).forEach(p -> lines.add("start DHCP on " + p));
            dhcpRunning.stream().filter(p -> !plan.dhcpPorts().contains(p)).forEach(p -> lines.add("stop DHCP on " + p));
            mine.keySet().stream().filter(p -> !links.containsKey(p)).forEach(p -> lines.add(p + ": missing, configured when it appears"));
            return lines;
        }, applyTimeout);
    }

    private static Map<String, PortConfig> ethernetPorts(NetworkDocument document) {
        Map<String, PortConfig> mine = new LinkedHashMap<>();
        document.ports().forEach((name, port) -> {
            if (port.kind().equals(PortKind.ETHERNET)) {
                mine.put(name, port);
            }
        });
        return mine;
    }

    @Override
    public void kernelChanged(Set<Kind> kinds) {
        if (kinds.contains(Kind.ADDRESS)) {
            worker.request();
        }
    }

    @Override
    public void linkChanged(String device, Optional<Link> now) {
        if (ports.map(p -> p.containsKey(device)).orElse(false) || assigned.containsKey(device)) {
            worker.request();
        }
    }

    private void leaseChanged(String device, Optional<DhcpLease> lease) {
        worker.execute(() -> leaseEvent(device, lease));
    }

    /** Runs on the worker thread only. */
    private void leaseEvent(String device, Optional<DhcpLease> lease) {
        if (lease.isEmpty() && waitingForFirstLease.containsKey(device)) {
            return; // udhcpc starts with a deconfig event: not a lost lease
        }
        waitingForFirstLease.remove(device);
        lease.ifPresentOrElse(l -> {
            leases.put(device, l);
            leaseObtained.put(device, Instant.now());
        }, () -> leases.remove(device));
        try {
            leaseCache.save(leases, leaseObtained);
        } catch (IOException e) {
            log.warn("dhcp: cannot save the lease cache: " + e.getMessage());
        }
        log.info("dhcp " + device + ": " + lease.map(l -> "lease " + l.address() + l.router().map(r -> " router " + r)
                .orElse("")).orElse("no lease"));
        worker.reconcileQuietly();
    }

    /** Runs on the worker thread only. */
    private void reconcile() throws KernelException, IOException {
        if (ports.isEmpty()) {
            return;
        }
        Map<String, PortConfig> wanted = new LinkedHashMap<>(ports.get());
        assigned.forEach((name, a) -> wanted.putIfAbsent(name, a.config()));
        // ports of other kinds nobody assigned: neither add nor remove anything there
        Set<String> frozen = new HashSet<>(otherKinds);
        frozen.removeAll(assigned.keySet());
        frozen.removeAll(released);
        Set<InterfaceAddress> keep = new HashSet<>();
        owned.stream().filter(a -> frozen.contains(a.device())).forEach(keep::add);
        Set<InterfaceAddress> removable = new HashSet<>(owned);
        removable.removeAll(keep);
        Map<String, Link> links = new LinkedHashMap<>();
        for (Link l : kernel.links()) {
            links.put(l.name(), l);
        }
        usePreviousLeases(wanted);
        EthernetPlan plan = EthernetPlan.of(wanted, links, leases);
        // stop clients before their address goes: udhcpc sends its release from the leased address
        stopDhcpExcept(plan.dhcpPorts());
        Set<InterfaceAddress> present = new HashSet<>(kernel.addresses());
        List<KernelChange> changes = plan.changes(present, removable);
        Set<InterfaceAddress> nowOwned = new HashSet<>(plan.addresses());
        nowOwned.addAll(keep);
        refuseMacConflicts(plan);
        if (!changes.isEmpty()) {
            log.info("ethernet: " + changes.size() + " kernel change(s): " + changes);
            kernel.apply(changes);
            owned = nowOwned;
            ownedStore.save(owned);
            links = new LinkedHashMap<>();
            for (Link l : kernel.links()) {
                links.put(l.name(), l);
            }
        } else if (!owned.equals(nowOwned)) {
            owned = nowOwned;
            ownedStore.save(owned);
        }
        // start clients once the link is up: a DISCOVER sent on a down link is lost until the next retry
        startDhcp(plan.dhcpPorts(), wanted);
        publish(wanted, links, plan);
    }

    /** Before any write: a MAC a neighbour already has fails the pass (and so the apply: rolled back). */
    private void refuseMacConflicts(EthernetPlan plan) throws KernelException {
        Map<String, List<Neighbour>> neighbours = new LinkedHashMap<>();
        for (String port : plan.macChanges()) {
            neighbours.put(port, kernel.neighbours(port));
        }
        List<String> conflicts = plan.macConflicts(neighbours);
        if (!conflicts.isEmpty()) {
            throw new KernelException(String.join("; ", conflicts));
        }
    }

    /**
     * A DHCP port whose client is about to start uses its last lease, while that is valid, until the client
     * reports (at most {@link #DHCP_CARRY_OVER}): a restart keeps the uplink's address and routes.
     */
    private void usePreviousLeases(Map<String, PortConfig> wanted) {
        Instant now = Instant.now();
        wanted.forEach((name, port) -> {
            if (port.ipv4() instanceof Ipv4Config.Dhcp && !dhcpRunning.contains(name)) {
                waitingForFirstLease.putIfAbsent(name, now);
                DhcpLease previous = previousLeases.remove(name);
                if (previous != null) {
                    leases.putIfAbsent(name, previous);
                }
            }
        });
        waitingForFirstLease.entrySet().removeIf(e -> {
            boolean expired = e.getValue().plus(DHCP_CARRY_OVER).isBefore(now);
            if (expired) {
                leases.remove(e.getKey());
                log.warn("dhcp " + e.getKey() + ": no answer from a DHCP server within " + DHCP_CARRY_OVER.toSeconds()
                        + " s; previous lease dropped");
            }
            return expired;
        });
    }

    private void startDhcp(Set<String> wantedDhcp, Map<String, PortConfig> wanted) throws KernelException {
        for (String port : wantedDhcp) {
            dhcp.start(port, wanted.get(port).role() == PortRole.UPLINK, this::leaseChanged);
            dhcpRunning.add(port);
        }
    }

    private void stopDhcpExcept(Set<String> wantedDhcp) {
        for (String port : new ArrayList<>(dhcpRunning)) {
            if (!wantedDhcp.contains(port)) {
                dhcp.stop(port);
                dhcpRunning.remove(port);
                leases.remove(port);
                waitingForFirstLease.remove(port);
            }
        }
    }

    private void publish(Map<String, PortConfig> wanted, Map<String, Link> links, EthernetPlan plan) {
        Map<String, PortStatus> ethernet = new LinkedHashMap<>();
        Map<String, PortStatus> others = new LinkedHashMap<>();
        Set<String> ethernetPorts = ports.map(Map::keySet).orElse(Set.of());
        wanted.forEach((name, port) -> (ethernetPorts.contains(name) ? ethernet : others).put(name,
                statusOf(name, port, links.get(name), plan)));
        board.publish(ethernet);
        Map<String, PortStatus> previous = assignedStatus;
        assignedStatus = Map.copyOf(others);
        others.forEach((name, s) -> {
            Assignment a = assigned.get(name);
            if (a != null && !s.equals(previous.get(name))) {
                tell(a.listener(), s);
            }
        });
    }

    private PortStatus statusOf(String name, PortConfig port, Link link, EthernetPlan plan) {
        Optional<DhcpLease> lease = Optional.ofNullable(leases.get(name));
        Optional<Ipv4Address> gateway = Optional.empty();
        if (port.ipv4() instanceof Ipv4Config.Static s) {
            gateway = s.gateway();
        } else if (port.role() == PortRole.UPLINK) {
            gateway = lease.flatMap(DhcpLease::router);
        }
        List<Ipv4Address> dns = new ArrayList<>();
        if (!port.dns().isEmpty()) {
            port.dns().forEach(d -> Ipv4Address.parse(d).ifPresent(dns::add));
        } else {
            lease.ifPresent(l -> dns.addAll(l.dns()));
        }
        if (link == null) {
            return new PortStatus(name, port.kind(), port.role(), port.cost(), false, false, List.of(),
                    gateway, dns, Optional.empty(), Optional.empty(), 0, 0, Optional.of("interface missing"));
        }
        Optional<String> problem = port.ipv4() instanceof Ipv4Config.Dhcp && lease.isEmpty()
                ? Optional.of("waiting for a DHCP lease") : Optional.empty();
        return new PortStatus(name, port.kind(), port.role(), port.cost(), true, link.carrier(),
                plan.addressesOf(name), gateway, dns, Optional.of(link.mtu()), Optional.of(link.mac()),
                link.rxBytes(), link.txBytes(), problem);
    }
}
