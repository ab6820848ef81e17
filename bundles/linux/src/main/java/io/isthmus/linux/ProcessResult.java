package io.isthmus.linux;

import java.util.List;

/** What a finished child process left: its exit code and both output streams. */
record ProcessResult(List<String> argv, int exitCode, String stdout, String stderr) {

    boolean ok() {
        return exitCode == 0;
    }

    /** The command line and the first lines of stderr, for exception messages and logs. */
    String describe() {
        String err = stderr.lines().limit(5).reduce((a, b) -> a + " | " + b).orElse("");
        return String.join(" ", argv) + " exited " + exitCode + (err.isEmpty() ? "" : ": " + err);
    }
}
