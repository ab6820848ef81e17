package io.isthmus.mgmt.commands;

import io.isthmus.api.config.ConfigService;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.api.mgmt.EventPublisher;
import io.isthmus.mgmt.AgentStatus;
import io.isthmus.mgmt.dispatch.BadRequest;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code config.rollback {"generation": n}}: re-applies a kept generation (with test) as a new generation. */
@Component(service = CommandHandler.class,
        property = {CommandHandler.COMMAND + "=config.rollback", CommandHandler.TIMEOUT_MS + ":Long=120000"})
public class ConfigRollbackCommand extends ApplyCommand {
    static final String SOURCE = "mqtt:config.rollback";

    @Activate
    public ConfigRollbackCommand(@Reference(name = "config") ConfigService config,
            @Reference(name = "events") EventPublisher events, @Reference(name = "agent") AgentStatus agent) {
        super(config, events, agent);
    }

    @Override
    public CommandReply handle(Map<String, Object> request) {
        long generation = JsonValue.root(request).optional("generation").map(v -> v.integer(1, Long.MAX_VALUE))
                .orElseThrow(() -> new BadRequest("/generation", "missing: expected the generation to go back to"));
        if (config.json(generation).isEmpty()) {
            return CommandReply.error(404, "no-such-generation", "generation " + generation + " is not kept; "
                    + "config.history lists those that are", Optional.of("/generation"));
        }
        return report(config.rollback(generation, SOURCE), SOURCE);
    }
}
