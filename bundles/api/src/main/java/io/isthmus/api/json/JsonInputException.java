package io.isthmus.api.json;

import java.io.IOException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A JSON text {@link StrictJson} does not accept: what is wrong ({@link #reason()}), where in the text (line and
 * column, 1-based) and, when the text got that far, where in the value ({@link #pointer()}, an RFC 6901 JSON
 * pointer; {@code ""} for the text as a whole).
 */
@ProviderType
public final class JsonInputException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What kind of problem: callers answer all of them as a syntax error, the kind says which. */
    public enum Kind {
        /** Not JSON at all (or something after the value). */
        SYNTAX,
        /** Nothing but white space. */
        EMPTY,
        /** A key given twice in one object: the pointer names the second. */
        DUPLICATE_KEY,
        /** Nested deeper than {@link StrictJson#MAX_DEPTH}: the pointer names the first value too deep. */
        TOO_DEEP,
        /** Valid JSON, but not the object the reader asked for. */
        NOT_AN_OBJECT
    }

    private final Kind kind;
    private final String pointer;
    private final String reason;
    private final long line;
    private final long column;

    public JsonInputException(Kind kind, String pointer, String reason, long line, long column) {
        super("invalid JSON" + (line > 0 ? " at line " + line + ", column " + column : "") + ": " + reason);
        this.kind = kind;
        this.pointer = pointer;
        this.reason = reason;
        this.line = line;
        this.column = column;
    }

    public Kind kind() {
        return kind;
    }

    /** Where in the value, as far as the text was read: {@code ""} for the whole text. */
    public String pointer() {
        return pointer;
    }

    /** The problem without the place, e.g. {@code key "firewall" given twice}. */
    public String reason() {
        return reason;
    }

    /** 1-based; 0 when not known. */
    public long line() {
        return line;
    }

    /** 1-based; 0 when not known. */
    public long column() {
        return column;
    }
}
