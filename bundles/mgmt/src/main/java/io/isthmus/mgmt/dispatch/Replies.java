package io.isthmus.mgmt.dispatch;

import io.isthmus.api.mgmt.CommandReply;
import java.util.Map;
import java.util.Optional;

/** A 200 whose body may hold nulls (JSON null: "not known"), which {@link CommandReply#ok} does not allow. */
public final class Replies {
    private Replies() {
    }

    public static CommandReply ok(Map<String, Object> body) {
        return new CommandReply(200, body, Optional.empty());
    }
}
