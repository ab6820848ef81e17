package io.isthmus.config.impl;

/** Turns what a capability threw into text for a reason or an error message. */
final class Failures {
    private Failures() {
    }

    /** The message alone for the expected {@code ApplyException}, else the type too: it hints at a bug. */
    static String describe(Throwable failure) {
        String message = failure.getMessage();
        if (failure instanceof io.isthmus.api.config.ApplyException && message != null) {
            return message;
        }
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
