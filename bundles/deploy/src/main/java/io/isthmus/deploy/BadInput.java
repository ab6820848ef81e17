package io.isthmus.deploy;

import io.isthmus.api.mgmt.CommandReply;
import java.util.Optional;

/** A request that does not say what it must, or names what is not there: an error reply with a JSON pointer. */
final class BadInput extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;
    private final String pointer;

    BadInput(int status, String code, String pointer, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.pointer = pointer;
    }

    static BadInput bad(String pointer, String message) {
        return new BadInput(400, "bad-request", pointer, message);
    }

    CommandReply reply() {
        return CommandReply.error(status, code, getMessage(), Optional.of(pointer));
    }
}
