package io.isthmus.mgmt.commands;

import io.isthmus.api.config.ApplyResult;
import io.isthmus.api.config.ConfigService;
import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.api.mgmt.EventPublisher;
import io.isthmus.mgmt.AgentStatus;

/** A command that applies a document with test before commit, and reports the result (reply and event). */
abstract class ApplyCommand implements CommandHandler {
    final ConfigService config;
    private final EventPublisher events;
    private final AgentStatus agent;

    ApplyCommand(ConfigService config, EventPublisher events, AgentStatus agent) {
        this.config = config;
        this.events = events;
        this.agent = agent;
    }

    CommandReply report(ApplyResult result, String source) {
        return ConfigReplies.applied(result, source, events, agent);
    }
}
