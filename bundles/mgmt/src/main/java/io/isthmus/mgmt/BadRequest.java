package io.isthmus.mgmt;

/** A request that does not say what it must: a 400 with the pointer to the offending member. */
final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String pointer;

    BadRequest(String pointer, String message) {
        super(message, null, false, false);
        this.pointer = pointer;
    }

    String pointer() {
        return pointer;
    }
}
