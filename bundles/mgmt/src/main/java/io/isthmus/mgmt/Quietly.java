package io.isthmus.mgmt;

/** Runs a clean-up step whose failure changes nothing (the thing is going away anyway). */
final class Quietly {
    interface Step {
        void run() throws Exception;
    }

    private Quietly() {
    }

    static void run(Step step) {
        try {
            step.run();
        } catch (Exception e) {
            // nothing left to do about it
        }
    }
}
