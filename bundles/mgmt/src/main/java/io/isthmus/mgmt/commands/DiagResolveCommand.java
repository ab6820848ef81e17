package io.isthmus.mgmt.commands;

import io.isthmus.api.json.JsonValue;
import io.isthmus.api.linux.Diagnostics.Resolution;
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

/** {@code diag.resolve {"name", "timeoutMs": 2000}}: the name through the gateway's own DNS servers. */
@Component(property = {CommandHandler.COMMAND + "=diag.resolve", CommandHandler.TIMEOUT_MS + ":Long=60000"})
public class DiagResolveCommand implements CommandHandler {
    private final Diagnostics diagnostics;

    @Activate
    public DiagResolveCommand(@Reference(name = "diagnostics") Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    @Override
    public CommandReply handle(Map<String, Object> request) {
        JsonValue in = JsonValue.root(request);
        String name = in.member("name", "a host name").string(DiagCommands.HOST, "a host name");
        Duration timeout = Duration.ofMillis(in.optional("timeoutMs").map(v -> v.integer(100, 10000)).orElse(2000L));
        Resolution r;
        try {
            r = diagnostics.resolve(name, timeout);
        } catch (KernelException e) {
            return DiagCommands.failed(e);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", r.name());
        body.put("servers", r.servers().stream().map(Object::toString).toList());
        body.put("addresses", r.addresses().stream().map(Object::toString).toList());
        body.put("problem", r.problem().orElse(null));
        return Replies.ok(body);
    }
}
