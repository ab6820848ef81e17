package io.isthmus.mgmt.commands;

import io.isthmus.api.json.JsonValue;
import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.api.mgmt.EventPublisher.Priority;
import io.isthmus.api.mgmt.EventPublisher;
import io.isthmus.mgmt.dispatch.Replies;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code diag.events {"count": 10, "delayMs": 0, "priority": "low", "tag": "…"}}: queues {@code count} test
 * events on {@code evt/test} after {@code delayMs}, numbered 1..count, to check the event path end to end (the
 * outbox across a broker outage or a restart, say). Replies at once.
 */
@Component(property = CommandHandler.COMMAND + "=diag.events")
public class DiagEventsCommand implements CommandHandler {
    static final int MAX_COUNT = 100_000;
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private final EventPublisher events;

    @Activate
    public DiagEventsCommand(@Reference(name = "events") EventPublisher events) {
        this.events = events;
    }

    @Override
    public CommandReply handle(Map<String, Object> request) {
        JsonValue r = JsonValue.root(request);
        int count = r.optional("count").map(v -> v.integer(1, MAX_COUNT)).orElse(10L).intValue();
        long delayMs = r.optional("delayMs").map(v -> v.integer(0, 600_000)).orElse(0L);
        Priority priority = r.optional("priority").map(v -> v.string(Pattern.compile("low|high"), "low or high"))
                .map(p -> p.equals("high") ? Priority.HIGH : Priority.LOW).orElse(Priority.LOW);
        String tag = r.optional("tag").map(v -> v.string(TAG, "1 to 64 of A-Z a-z 0-9 _ . -")).orElse("test");
        CompletableFuture.runAsync(() -> {
            for (int i = 1; i <= count; i++) {
                events.publish("test", Map.of("tag", tag, "n", i, "of", count), priority);
            }
        }, CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS));
        return CommandReply.ok(Map.of("queued", count, "afterMs", delayMs, "tag", tag));
    }
}
