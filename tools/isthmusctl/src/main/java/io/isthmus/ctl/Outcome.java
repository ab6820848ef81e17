package io.isthmus.ctl;

/**
 * How a device ended in a rollout. The first four are the gateway's own terminal job states (deploy protocol); the
 * rest are the rollout's view of devices it did not (or no longer) run a job on.
 */
enum Outcome {
    COMMITTED("committed"),
    ROLLED_BACK("rolledBack"),
    REJECTED("rejected"),
    FAILED("failed"),
    /** Offline: the job waits for it as a retained request (URL transfers only). */
    PENDING("pending"),
    /** Offline for longer than --offline-wait (inline transfers need the device online). */
    SKIPPED("skipped"),
    /** The rollout stopped before this device's turn. */
    NOT_STARTED("notStarted"),
    /** Committed, then rolled back by the rollout because the fleet crossed its failure threshold. */
    REVERTED("reverted"),
    /** Committed, but the rollout's rollback of it did not commit. */
    REVERT_FAILED("revertFailed"),
    /** Was pending; the rollout stopped and withdrew the retained request. */
    CANCELLED("cancelled");

    final String word;

    Outcome(String word) {
        this.word = word;
    }

    /** Counts against --max-failures: the device ran the job and it did not commit. */
    boolean isFailure() {
        return this == ROLLED_BACK || this == REJECTED || this == FAILED;
    }

    /** A terminal job state of the deploy protocol ({@code committed}, {@code rolledBack} …), if it is one. */
    static java.util.Optional<Outcome> ofJobState(String state) {
        return switch (state) {
            case "committed" -> java.util.Optional.of(COMMITTED);
            case "rolledBack" -> java.util.Optional.of(ROLLED_BACK);
            case "rejected" -> java.util.Optional.of(REJECTED);
            case "failed" -> java.util.Optional.of(FAILED);
            default -> java.util.Optional.empty();
        };
    }

    static Outcome ofWord(String word) {
        for (Outcome o : values()) {
            if (o.word.equals(word)) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown outcome " + word);
    }
}
