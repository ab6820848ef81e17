package io.isthmus.api.mgmt;

import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** A reply: an HTTP-like status, a body on success, a code/message/pointer on failure. */
@ProviderType
public record CommandReply(int status, Map<String, Object> body, Optional<Error> error) {

    public record Error(String code, String message, Optional<String> pointer) {
    }

    public static CommandReply ok(Map<String, Object> body) {
        return new CommandReply(200, Map.copyOf(body), Optional.empty());
    }

    public static CommandReply error(int status, String code, String message, Optional<String> pointer) {
        return new CommandReply(status, Map.of(), Optional.of(new Error(code, message, pointer)));
    }
}
