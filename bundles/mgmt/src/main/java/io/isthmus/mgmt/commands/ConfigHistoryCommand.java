package io.isthmus.mgmt.commands;

import io.isthmus.api.config.ConfigService;
import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.mgmt.dispatch.Replies;
import java.util.HashMap;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code config.history}: the kept generations, newest first, and which one is in force. */
@Component(property = CommandHandler.COMMAND + "=config.history")
public class ConfigHistoryCommand implements CommandHandler {
    private final ConfigService config;

    @Activate
    public ConfigHistoryCommand(@Reference(name = "config") ConfigService config) {
        this.config = config;
    }

    @Override
    public CommandReply handle(Map<String, Object> request) {
        Map<String, Object> body = new HashMap<>();
        body.put("current", config.current().map(g -> g.number()).orElse(null));
        body.put("generations", config.history().stream().map(ConfigReplies::generation).toList());
        return Replies.ok(body);
    }
}
