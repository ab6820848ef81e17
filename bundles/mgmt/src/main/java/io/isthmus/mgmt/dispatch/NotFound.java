package io.isthmus.mgmt.dispatch;

/** A request naming something that is not there: a 404 with the pointer to the name. */
public final class NotFound extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String pointer;

    public NotFound(String pointer, String message) {
        super(message, null, false, false);
        this.pointer = pointer;
    }

    String pointer() {
        return pointer;
    }
}
