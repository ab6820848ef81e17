package io.isthmus.deploy;

/** A change refused before anything changed: the job ends {@code rejected} with this reason. */
final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String reason) {
        super(reason, null, false, false);
    }
}
