package io.isthmus.mgmt.commands;

import io.isthmus.api.config.ApplyResult;
import io.isthmus.api.config.Generation;
import io.isthmus.api.config.ValidationError;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.api.mgmt.EventPublisher.Priority;
import io.isthmus.api.mgmt.EventPublisher;
import io.isthmus.mgmt.AgentStatus;
import io.isthmus.mgmt.dispatch.Replies;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Replies and events for the config commands: one shape for validation errors and apply results. */
public final class ConfigReplies {
    private ConfigReplies() {
    }

    /** 400 at the first error's pointer, with every error in the body. */
    static CommandReply invalid(List<ValidationError> errors) {
        ValidationError first = errors.get(0);
        String message = errors.size() == 1 ? first.message()
                : first.message() + " (and " + (errors.size() - 1) + " more, see body.errors)";
        return new CommandReply(400, Map.of("errors", errors(errors)), Optional.of(new CommandReply.Error(
                "invalid-document", message, Optional.of(first.pointer()))));
    }

    static List<Map<String, Object>> errors(List<ValidationError> errors) {
        return errors.stream().map(e -> Map.<String, Object>of("pointer", e.pointer(), "message", e.message()))
                .toList();
    }

    static Map<String, Object> generation(Generation g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("number", g.number());
        m.put("committedAt", g.committedAt().toString());
        m.put("source", g.source());
        m.put("sha256", g.sha256());
        return m;
    }

    /**
     * The reply to an apply (put or rollback), and the {@code evt/config} event that tells everyone else what
     * happened: committed (200), rejected (400, nothing changed) or rolled back (409, the previous generation
     * restored — the reason says which check failed).
     */
    static CommandReply applied(ApplyResult result, String source, EventPublisher events, AgentStatus agent) {
        CommandReply reply;
        if (result instanceof ApplyResult.Committed c) {
            reply = Replies.ok(Map.of("result", c.unchanged() ? "unchanged" : "committed", "generation",
                    generation(c.generation())));
        } else if (result instanceof ApplyResult.Rejected r) {
            reply = invalid(r.errors());
        } else {
            ApplyResult.RolledBack b = (ApplyResult.RolledBack) result;
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("result", "rolled back");
            body.put("reason", b.reason());
            body.put("restoredGeneration", b.restored().map(Generation::number).orElse(null));
            reply = new CommandReply(409, body, Optional.of(new CommandReply.Error("rolled-back",
                    "config rolled back: " + b.reason(), Optional.empty())));
        }
        events.publish("config", event(result, source), Priority.HIGH);
        agent.refreshState();
        return reply;
    }

    /** The body of an {@code evt/config} event: where the document came from and what became of it. */
    public static Map<String, Object> event(ApplyResult result, String source) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("source", source);
        if (result instanceof ApplyResult.Committed c) {
            event.put("event", c.unchanged() ? "unchanged" : "committed");
            event.put("generation", c.generation().number());
        } else if (result instanceof ApplyResult.Rejected r) {
            event.put("event", "rejected");
            event.put("errors", errors(r.errors()));
        } else {
            ApplyResult.RolledBack b = (ApplyResult.RolledBack) result;
            event.put("event", "rolled back");
            event.put("reason", b.reason());
            event.put("restoredGeneration", b.restored().map(Generation::number).orElse(null));
        }
        return event;
    }
}
