package io.isthmus.mgmt.commands;

import io.isthmus.api.config.ConfigService;
import io.isthmus.api.config.Preview;
import io.isthmus.api.config.ValidationError;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.api.mgmt.EventPublisher;
import io.isthmus.mgmt.AgentStatus;
import io.isthmus.mgmt.dispatch.JsonCodec;
import io.isthmus.mgmt.dispatch.Replies;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code config.put {"document": {...}, "dryRun": false}}: validate → apply → test → commit, or roll back. The
 * reply comes after the test window, so the command's timeout is longer than any window.
 */
@Component(service = CommandHandler.class,
        property = {CommandHandler.COMMAND + "=config.put", CommandHandler.TIMEOUT_MS + ":Long=120000"})
public class ConfigPutCommand extends ApplyCommand {
    static final String SOURCE = "mqtt:config.put";
    private final JsonCodec json = new JsonCodec();

    @Activate
    public ConfigPutCommand(@Reference(name = "config") ConfigService config,
            @Reference(name = "events") EventPublisher events, @Reference(name = "agent") AgentStatus agent) {
        super(config, events, agent);
    }

    @Override
    public CommandReply handle(Map<String, Object> request) {
        JsonValue r = JsonValue.root(request);
        Map<String, Object> given = r.member("document", "a JSON object").plainObject();
        List<ValidationError> placeholders = ConfigGetCommand.placeholders(given);
        if (!placeholders.isEmpty()) {
            return ConfigReplies.invalid(placeholders);
        }
        String document = json.text(given);
        if (r.optional("dryRun").map(JsonValue::bool).orElse(false)) {
            Preview preview = config.preview(document);
            return preview.errors().isEmpty() ? Replies.ok(Map.of("dryRun", true, "changes", preview.changes()))
                    : ConfigReplies.invalid(preview.errors());
        }
        return report(config.apply(document, SOURCE), SOURCE);
    }
}
