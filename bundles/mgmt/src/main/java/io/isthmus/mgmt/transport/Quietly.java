package io.isthmus.mgmt.transport;

/** Runs a clean-up step whose failure changes nothing (the thing is going away anyway). */
public final class Quietly {
    public interface Step {
        public void run() throws Exception;
    }

    private Quietly() {
    }

    /** Runs {@code step}; whether it completed. */
    public static boolean ok(Step step) {
        try {
            step.run();
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    public static void run(Step step) {
        try {
            step.run();
        } catch (Exception e) {
            // nothing left to do about it
        }
    }
}
