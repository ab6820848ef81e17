package io.isthmus.mgmt.commands;

import io.isthmus.api.json.JsonValue;
import io.isthmus.api.linux.Diagnostics.PingResult;
import io.isthmus.api.linux.Diagnostics;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.mgmt.dispatch.Replies;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code diag.ping {"target", "count": 3, "timeoutMs": 1000, "interface"}}: reachability from the gateway. */
@Component(property = {CommandHandler.COMMAND + "=diag.ping", CommandHandler.TIMEOUT_MS + ":Long=60000"})
public class DiagPingCommand implements CommandHandler {
    private final Diagnostics diagnostics;

    @Activate
    public DiagPingCommand(@Reference(name = "diagnostics") Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    @Override
    public CommandReply handle(Map<String, Object> request) {
        String target = DiagCommands.unicastTarget(request, "target");
        JsonValue in = JsonValue.root(request);
        int count = in.optional("count").map(v -> v.integer(1, 20)).orElse(3L).intValue();
        Duration timeout = Duration.ofMillis(in.optional("timeoutMs").map(v -> v.integer(100, 10000)).orElse(1000L));
        var device = in.optional("interface").map(v -> v.string(DiagCommands.INTERFACE, "an interface name"));
        PingResult r;
        try {
            r = diagnostics.ping(target, count, timeout, device);
        } catch (KernelException e) {
            return DiagCommands.failed(e);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("target", r.target());
        body.put("transmitted", r.transmitted());
        body.put("received", r.received());
        body.put("rttMs", r.avgMs().isEmpty() ? null
                : Map.of("min", r.minMs().get(), "avg", r.avgMs().get(), "max", r.maxMs().get()));
        body.put("problem", r.problem().orElse(null));
        return Replies.ok(body);
    }
}
