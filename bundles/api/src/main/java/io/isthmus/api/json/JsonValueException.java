package io.isthmus.api.json;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A JSON value of the wrong type or out of range: {@link #pointer()} says where (RFC 6901, {@code ""} for the whole
 * value), {@link #reason()} what is wrong and what was expected, e.g. {@code expected an integer 68..9000, got 20}.
 * The one error every {@link JsonValue} getter throws; {@link JsonReader} collects them instead.
 */
@ProviderType
public final class JsonValueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String pointer;
    private final String reason;

    public JsonValueException(String pointer, String reason) {
        super(pointer.isEmpty() ? reason : pointer + ": " + reason, null, false, false);
        this.pointer = pointer;
        this.reason = reason;
    }

    /** Where the offending value is (or the object that lacks a member). */
    public String pointer() {
        return pointer;
    }

    /** What is wrong, without the place. */
    public String reason() {
        return reason;
    }
}
