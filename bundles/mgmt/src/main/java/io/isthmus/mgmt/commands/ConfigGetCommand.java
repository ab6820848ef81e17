package io.isthmus.mgmt.commands;

import io.isthmus.api.config.ConfigService;
import io.isthmus.api.config.Generation;
import io.isthmus.api.config.ValidationError;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.json.StrictJson;
import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.mgmt.dispatch.BadRequest;
import io.isthmus.mgmt.dispatch.JsonCodec;
import io.isthmus.mgmt.dispatch.Replies;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code config.get {"generation": n}}: the document in force, or a kept generation's. */
@Component(property = CommandHandler.COMMAND + "=config.get")
public class ConfigGetCommand implements CommandHandler {
    private final ConfigService config;
    private final JsonCodec json = new JsonCodec();

    @Activate
    public ConfigGetCommand(@Reference(name = "config") ConfigService config) {
        this.config = config;
    }

    @Override
    public CommandReply handle(Map<String, Object> request) {
        Optional<Long> asked = JsonValue.root(request).optional("generation").map(v -> v.integer(1, Long.MAX_VALUE));
        Optional<Generation> generation = asked.isPresent()
                ? config.history().stream().filter(g -> g.number() == asked.get()).findFirst() : config.current();
        Optional<String> text = generation.flatMap(g -> config.json(g.number()));
        if (text.isEmpty()) {
            return CommandReply.error(404, "no-such-generation", asked.map(n -> "generation " + n + " is not kept")
                    .orElse("no document has been committed yet"), asked.map(n -> "/generation"));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("generation", ConfigReplies.generation(generation.get()));
        try {
            body.put("document", withoutSecrets(json.object(text.get())));
        } catch (IOException e) {
            return CommandReply.error(500, "unreadable-generation", "generation " + generation.get().number()
                    + " is not readable JSON: " + e.getMessage(), Optional.empty());
        }
        return Replies.ok(body);
    }

    /**
     * Secrets never leave the gateway: an inline broker password, WiFi PSK or EAP password, SIM PIN or bearer
     * password is shown as set, not as itself, wherever it is in the document.
     */
    static Map<String, Object> withoutSecrets(Map<String, Object> document) {
        return redacted(document);
    }

    /**
     * The walks below recurse once per level: bounded, since every JSON the gateway reads has at most
     * {@link StrictJson#MAX_DEPTH} levels; a value deeper than that (not from a parser) is refused, never a
     * StackOverflowError.
     */
    private static void bounded(int depth, String pointer) {
        if (depth > StrictJson.MAX_DEPTH) {
            throw new BadRequest(pointer, "nested deeper than " + StrictJson.MAX_DEPTH + " levels");
        }
    }

    private static <T> T redacted(T value) {
        return redacted(value, "", 1);
    }

    @SuppressWarnings("unchecked")
    private static <T> T redacted(T value, String pointer, int depth) {
        if (value instanceof Map<?, ?> map) {
            bounded(depth, pointer);
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put((String) k, SECRET_KEYS.contains(k) && v != null ? HIDDEN
                    : redacted(v, pointer + "/" + StrictJson.escape(String.valueOf(k)), depth + 1)));
            return (T) copy;
        }
        if (value instanceof List<?> list) {
            bounded(depth, pointer);
            List<Object> copy = new ArrayList<>();
            for (Object item : list) {
                copy.add(redacted(item, pointer + "/" + copy.size(), depth + 1));
            }
            return (T) Collections.unmodifiableList(copy);
        }
        return value;
    }

    /**
     * Where a document still carries the placeholder {@code config.get} shows for a secret: put back as it is, it
     * would become the secret itself (a WiFi PSK "(hidden)"), so it is an error with the pointer.
     */
    static List<ValidationError> placeholders(Map<String, Object> document) {
        List<ValidationError> found = new ArrayList<>();
        placeholders(document, "", 1, found);
        return found;
    }

    private static void placeholders(Object value, String pointer, int depth, List<ValidationError> found) {
        if (value instanceof Map<?, ?> map) {
            bounded(depth, pointer);
            map.forEach((k, v) -> {
                String at = pointer + "/" + StrictJson.escape(String.valueOf(k));
                if (SECRET_KEYS.contains(k) && HIDDEN.equals(v)) {
                    found.add(new ValidationError(at, "\"" + HIDDEN + "\" is what config.get shows instead of the "
                            + "secret: give the secret itself (or leave it out where that is allowed)"));
                } else {
                    placeholders(v, at, depth + 1, found);
                }
            });
        } else if (value instanceof List<?> list) {
            bounded(depth, pointer);
            for (int i = 0; i < list.size(); i++) {
                placeholders(list.get(i), pointer + "/" + i, depth + 1, found);
            }
        }
    }

    /** Keys whose values are secrets in any section (management, ports.*.wifi, ports.*.cellular). */
    static final Set<String> SECRET_KEYS = Set.of("password", "psk", "pin", "puk", "privateKeyPassword");

    static final String HIDDEN = "(hidden)";
}
