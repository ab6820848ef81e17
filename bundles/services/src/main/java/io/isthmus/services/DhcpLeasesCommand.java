package io.isthmus.services;

import io.isthmus.api.linux.LocalServers;
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
 * {@code dhcp.leases}: the leases the gateway's DHCP servers handed out, unexpired, per port (MAC, address, the
 * client's name, expiry). {@code {"port": "eth1"}} keeps one port's.
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
        return CommandReply.ok(Map.of("leases", leases));
    }
}
