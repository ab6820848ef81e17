package io.isthmus.mgmt.dispatch;

import io.isthmus.api.json.JsonInputException;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.json.JsonValueException;
import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.mgmt.transport.Topics;
import io.isthmus.mgmt.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Turns request messages into replies: checks size and shape, finds the handler, answers a repeated id with
 * the first reply, runs the handler in its lane with a timeout, and hands the reply (the shape of docs/mqtt.md) to the
 * outbox. Runs on the MQTT client's thread up to the hand-over, and never blocks it.
 */
public final class Dispatcher {
    /**
     * A handler, fetched when first used: not while the agent binds it, because a handler may itself need the
     * agent's services (EventPublisher), and fetching it during the agent's activation would be a cycle.
     */
    public record Registered(Supplier<CommandHandler> handler, Optional<Duration> timeout) {
    }

    /** Where replies go: the outbox. */
    public interface Replies {
        void send(String topic, Optional<byte[]> correlation, byte[] json);
    }

    public record Limits(int maxPayloadBytes, Duration defaultTimeout) {
    }

    public record Counters(long received, long ignored, long busy, long timedOut) {
    }

    private final Supplier<Optional<Topics>> topics;
    private final JsonCodec json;
    private final ReplyCache cache;
    private final CommandLanes lanes;
    private final ScheduledExecutorService timer;
    private final Limits limits;
    private final Replies replies;
    private final Map<String, Registered> handlers;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();
    private final AtomicLong busy = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Consumer<String> warn;
    /** The document's command policy: why a command is forbidden, or empty. Set by the agent. */
    private volatile Function<String, Optional<String>> policy = command -> Optional.empty();

    public Dispatcher(Map<String, Registered> handlers, Supplier<Optional<Topics>> topics, JsonCodec json,
            ReplyCache cache, CommandLanes lanes, ScheduledExecutorService timer, Limits limits, Replies replies,
            Consumer<String> warn) {
        this.warn = warn;
        this.handlers = handlers;
        this.topics = topics;
        this.json = json;
        this.cache = cache;
        this.lanes = lanes;
        this.timer = timer;
        this.limits = limits;
        this.replies = replies;
    }

    public void policy(Function<String, Optional<String>> forbidden) {
        this.policy = forbidden;
    }

    public Counters counters() {
        return new Counters(received.get(), ignored.get(), busy.get(), timedOut.get());
    }

    public void handle(Transport.Incoming message) {
        received.incrementAndGet();
        Optional<Topics> own = topics.get();
        Optional<String> command = own.flatMap(t -> t.command(message.topic()));
        if (command.isEmpty()) {
            ignored.incrementAndGet(); // not one of ours (a broker that routes more than we asked for)
            return;
        }
        Optional<String> responseTopic = message.responseTopic();
        if (responseTopic.isPresent() && !own.get().validReplyTopic(responseTopic.get())) {
            refuse(command.get(), responseTopic.get());
            return;
        }
        Optional<byte[]> correlation = message.correlation();
        Optional<Object> correlationId = correlation.map(Dispatcher::readable);
        if (message.payload().length > limits.maxPayloadBytes()) {
            answer(responseTopic, correlation, correlationId, CommandReply.error(413, "payload-too-large",
                    "the request has " + message.payload().length + " bytes; the limit is "
                            + limits.maxPayloadBytes(), Optional.empty()));
            return;
        }
        Map<String, Object> request;
        try {
            request = json.object(message.payload());
        } catch (JsonInputException e) {
            answer(responseTopic, correlation, correlationId, CommandReply.error(400, "malformed-json",
                    e.kind() == JsonInputException.Kind.EMPTY ? "the request is empty; expected a JSON object ({} "
                            + "when the command takes no parameters)"
                            : "the request is not a JSON object: " + firstLine(e.getMessage()),
                    Optional.of(e.pointer())));
            return;
        }
        Optional<Object> id;
        Optional<String> replyTo;
        try {
            id = requestId(request).or(() -> correlationId);
            replyTo = JsonValue.root(request).optional("replyTo").map(JsonValue::string);
            if (replyTo.isPresent() && !own.get().validReplyTopic(replyTo.get())) {
                if (responseTopic.isEmpty()) {
                    refuse(command.get(), replyTo.get());
                    return;
                }
                throw new BadRequest("/replyTo", "not a topic a reply may go to: no wildcards, and not under "
                        + Topics.PREFIX);
            }
        } catch (BadRequest e) {
            answer(responseTopic, correlation, correlationId, badRequest(e));
            return;
        } catch (JsonValueException e) {
            answer(responseTopic, correlation, correlationId, badRequest(e));
            return;
        }
        Optional<String> destination = responseTopic.or(() -> replyTo);
        run(command.get(), request, id, destination, correlation);
    }

    /**
     * A reply topic no reply may go to (a wildcard, or under {@code isthmus/v1/}: this or another gateway's
     * topics): there is no safe place for an answer, so the request is neither run nor answered. Counted as
     * ignored; logged escaped, and only at the 1st, 2nd, 4th, 8th … time, so a flood cannot fill the log.
     */
    private void refuse(String command, String topic) {
        ignored.incrementAndGet();
        long n = refused.incrementAndGet();
        if (Long.bitCount(n) == 1) {
            warn.accept("management: refused a \"" + Dispatcher.escaped(command, 64) + "\" request whose reply topic \""
                    + Dispatcher.escaped(topic, 128) + "\" is not one a reply may go to (a wildcard, or under "
                    + Topics.PREFIX + "); not run, not answered (" + n + " refused since start)");
        }
    }

    private void run(String command, Map<String, Object> request, Optional<Object> id,
            Optional<String> destination, Optional<byte[]> correlation) {
        Optional<String> forbidden = policy.apply(command);
        if (forbidden.isPresent()) { // before any handler, and before the id is remembered: nothing ran
            answer(destination, correlation, id, CommandReply.error(403, "forbidden", forbidden.get(),
                    Optional.empty()));
            return;
        }
        Registered registered = handlers.get(command);
        if (registered == null) {
            answer(destination, correlation, id, CommandReply.error(404, "unknown-command", "no command \""
                    + Dispatcher.escaped(command, 64) + "\" on this gateway; known: "
                    + String.join(", ", new java.util.TreeSet<>(handlers.keySet())), Optional.empty()));
            return;
        }
        CompletableFuture<CommandReply> reply = new CompletableFuture<>();
        Optional<CompletableFuture<CommandReply>> first = id.isPresent()
                ? cache.firstOrRegister(String.valueOf(id.get()), reply) : Optional.empty();
        if (first.isPresent()) {
            first.get().thenAccept(r -> answer(destination, correlation, id, r));
            return;
        }
        reply.thenAccept(r -> answer(destination, correlation, id, r));
        if (!lanes.submit(command, () -> execute(registered, request, reply))) {
            busy.incrementAndGet();
            reply.complete(CommandReply.error(503, "busy", "too many \"" + command
                    + "\" requests waiting; try again", Optional.empty()));
        }
    }

    /** On a lane thread: the handler, bounded by its timeout (then the thread is interrupted). */
    private void execute(Registered registered, Map<String, Object> request, CompletableFuture<CommandReply> reply) {
        if (reply.isDone()) {
            return;
        }
        Thread worker = Thread.currentThread();
        Duration timeout = registered.timeout().orElse(limits.defaultTimeout());
        Object guard = new Object();
        boolean[] running = {true};
        ScheduledFuture<?> watchdog = timer.schedule(() -> {
            if (reply.complete(CommandReply.error(503, "timeout", "no answer within " + timeout.toMillis() + " ms",
                    Optional.empty()))) {
                timedOut.incrementAndGet();
            }
            synchronized (guard) {
                if (running[0]) {
                    worker.interrupt();
                }
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            CommandReply r = registered.handler().get().handle(request);
            reply.complete(r == null ? CommandReply.error(500, "internal", "the handler returned no reply",
                    Optional.empty()) : r);
        } catch (BadRequest e) {
            reply.complete(badRequest(e));
        } catch (JsonValueException e) {
            reply.complete(badRequest(e));
        } catch (NotFound e) {
            reply.complete(CommandReply.error(404, "not-found", e.getMessage(), Optional.of(e.pointer())));
        } catch (StackOverflowError e) {
            // a handler recursing on something deeper than it should be given: the request's fault, not the agent's
            reply.complete(CommandReply.error(500, "internal", "the request was too deep to handle",
                    Optional.empty()));
        } catch (Throwable e) { // whatever a handler throws is answered, and its lane frees the slot
            if (e instanceof Error) {
                warn.accept("management: a command handler failed with " + e);
            }
            reply.complete(CommandReply.error(500, "internal", String.valueOf(e), Optional.empty()));
        } finally {
            watchdog.cancel(false);
            synchronized (guard) {
                running[0] = false;
            }
            Thread.interrupted(); // a late watchdog must not disturb this thread's next task
        }
    }

    private void answer(Optional<String> destination, Optional<byte[]> correlation, Optional<Object> id,
            CommandReply reply) {
        if (destination.isEmpty()) {
            ignored.incrementAndGet(); // nobody to tell: a 3.1.1 request without replyTo
            return;
        }
        byte[] body;
        try {
            body = json.bytes(shape(id, reply));
        } catch (IllegalArgumentException e) {
            body = json.bytes(shape(id, CommandReply.error(500, "internal", e.getMessage(), Optional.empty())));
        }
        replies.send(destination.get(), correlation, body);
    }

    /** docs/mqtt.md, Requests and replies: {"id", "status", "body"} or {"id", "status", "error": {code, message, pointer}}. */
    static Map<String, Object> shape(Optional<Object> id, CommandReply reply) {
        Map<String, Object> out = new LinkedHashMap<>();
        id.ifPresent(i -> out.put("id", i));
        out.put("status", reply.status());
        if (reply.error().isEmpty() || !reply.body().isEmpty()) {
            out.put("body", reply.body());
        }
        reply.error().ifPresent(e -> {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("code", e.code());
            error.put("message", e.message());
            e.pointer().ifPresent(p -> error.put("pointer", p));
            out.put("error", error);
        });
        return out;
    }

    static CommandReply badRequest(BadRequest e) {
        return CommandReply.error(400, "bad-request", e.getMessage(), Optional.of(e.pointer()));
    }

    /** A request member of the wrong type or out of range: the same 400, with its pointer. */
    static CommandReply badRequest(JsonValueException e) {
        return CommandReply.error(400, "bad-request", e.reason(), Optional.of(e.pointer()));
    }

    private static Optional<Object> requestId(Map<String, Object> request) {
        Object id = request.get("id");
        if (id == null) {
            return Optional.empty();
        }
        if ((id instanceof String s && !s.isEmpty() && s.length() <= 128) || id instanceof Integer
                || id instanceof Long) {
            return Optional.of(id);
        }
        throw new BadRequest("/id", "expected a string of 1 to 128 characters or an integer, got "
                + JsonValue.root(id).describe());
    }

    /** Correlation data as an id: its text when it is printable UTF-8, else base64. */
    private static Object readable(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        return text.chars().allMatch(c -> c >= 0x20 && c < 0x7f) && !text.isEmpty() ? text
                : Base64.getEncoder().encodeToString(data);
    }

    private static String firstLine(String s) {
        String line = String.valueOf(s).lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }

    /**
     * Text from a request as it may appear in a message or the log: at most {@code max} characters, every control
     * character escaped (a NUL, an escape sequence), quotes and backslashes escaped.
     */
    static String escaped(String s, int max) {
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < s.length() && shown < max; i++, shown++) {
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '"' || c == '\\' || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return s.length() > max ? out + "…" : out.toString();
    }
}
