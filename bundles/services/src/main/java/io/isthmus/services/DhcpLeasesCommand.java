package io.isthmus.services;

import io.isthmus.api.linux.LocalServers;
import io.isthmus.api.linux.LocalService;
import io.isthmus.api.linux.ServedLease;
import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code dhcp.leases}: what each port serves now ({@code ports}: range, lease time, router option, DNS and where it
 * forwards) and the leases the DHCP servers handed out, unexpired (MAC, address, the client's name, expiry).
 * {@code {"port": "eth1"}} keeps one port's.
 */
@Component(service = CommandHandler.class, property = CommandHandler.COMMAND + "=dhcp.leases")
public class DhcpLeasesCommand implements CommandHandler {
    private final LocalServers servers;
    private final Clock clock;

    @Activate
    public DhcpLeasesCommand(@Reference(name = "servers") LocalServers servers) {
        this(servers, Clock.systemUTC());
    }

    DhcpLeasesCommand(LocalServers servers, Clock clock) {
        this.servers = servers;
        this.clock = clock;
    }

    @Override
    public CommandReply handle(Map<String, Object> request) {
        Object port = request.getOrDefault("port", "");
        if (!(port instanceof String only)) {
            return CommandReply.error(400, "bad-request", "port must be a string", Optional.of("/port"));
        }
        Instant now = clock.instant();
        List<Map<String, Object>> leases = new ArrayList<>();
        for (ServedLease l : servers.leases()) {
            if ((only.isEmpty() || only.equals(l.device())) && l.expiry().isAfter(now)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("port", l.device());
                m.put("mac", l.mac());
                m.put("address", l.address().toString());
                m.put("name", l.name().orElse(""));
                m.put("expires", l.expiry().equals(Instant.MAX) ? "never" : l.expiry().toString());
                leases.add(m);
            }
        }
        Map<String, Object> ports = new LinkedHashMap<>();
        for (LocalService s : servers.served()) {
            if (only.isEmpty() || only.equals(s.device())) {
                ports.put(s.device(), port(s));
            }
        }
        return CommandReply.ok(Map.of("ports", ports, "leases", leases));
    }

    /** What one port serves, as {@code status}-like plain values. */
    static Map<String, Object> port(LocalService s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", s.address().toString());
        s.dhcp().ifPresent(d -> {
            m.put("range", d.first() + "-" + d.last());
            m.put("leaseSeconds", d.lease().toSeconds());
            m.put("router", d.router());
            m.put("reservations", d.reservations().size());
        });
        m.put("dhcp", s.dhcp().isPresent());
        m.put("dns", s.dns());
        m.put("forwardsTo", s.upstream().stream().map(Object::toString).toList());
        m.put("domain", s.domain());
        return m;
    }
}
