package io.isthmus.mgmt.commands;

import io.isthmus.api.json.JsonValue;
import io.isthmus.api.linux.Diagnostics.RouteLookup;
import io.isthmus.api.linux.Diagnostics;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.mgmt.dispatch.Replies;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code diag.route {"destination", "source", "interface"}}: what {@code ip route get} says — the device,
 * gateway and source address the kernel would use; {@code interface} asks as if the packet came in there.
 */
@Component(property = CommandHandler.COMMAND + "=diag.route")
public class DiagRouteCommand implements CommandHandler {
    private final Diagnostics diagnostics;

    @Activate
    public DiagRouteCommand(@Reference(name = "diagnostics") Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    @Override
    public CommandReply handle(Map<String, Object> request) {
        Ipv4Address destination = DiagCommands.address(request, "destination", true);
        Optional<Ipv4Address> source = Optional.ofNullable(DiagCommands.address(request, "source", false));
        Optional<String> input = JsonValue.root(request).optional("interface")
                .map(v -> v.string(DiagCommands.INTERFACE, "an interface name"));
        RouteLookup r;
        try {
            r = diagnostics.route(destination, source, input);
        } catch (KernelException e) {
            return DiagCommands.failed(e);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("destination", r.destination().toString());
        body.put("type", r.type());
        body.put("interface", r.device().orElse(null));
        body.put("gateway", r.gateway().map(Object::toString).orElse(null));
        body.put("source", r.source().map(Object::toString).orElse(null));
        body.put("table", r.table().orElse(null));
        body.put("problem", r.problem().orElse(null));
        return Replies.ok(body);
    }
}
