package io.isthmus.mgmt.dispatch;

/** A request that does not say what it must: a 400 with the pointer to the offending member. */
public final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String pointer;

    public BadRequest(String pointer, String message) {
        super(message, null, false, false);
        this.pointer = pointer;
    }

    public String pointer() {
        return pointer;
    }
}
