package io.isthmus.mgmt.commands;

import io.isthmus.api.config.ConfigService;
import io.isthmus.api.config.ValidationError;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.mgmt.dispatch.JsonCodec;
import io.isthmus.mgmt.dispatch.Replies;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code config.validate {"document": {...}}}: every error with its pointer; nothing is applied. */
@Component(property = CommandHandler.COMMAND + "=config.validate")
public class ConfigValidateCommand implements CommandHandler {
    private final ConfigService config;
    private final JsonCodec json = new JsonCodec();

    @Activate
    public ConfigValidateCommand(@Reference(name = "config") ConfigService config) {
        this.config = config;
    }

    @Override
    public CommandReply handle(Map<String, Object> request) {
        Map<String, Object> given = JsonValue.root(request).member("document", "a JSON object").plainObject();
        List<ValidationError> errors = new ArrayList<>(ConfigGetCommand.placeholders(given));
        errors.addAll(config.validate(json.text(given)));
        return errors.isEmpty() ? Replies.ok(Map.of("valid", true)) : ConfigReplies.invalid(errors);
    }
}
