package io.isthmus.launcher;

/** Entry point of {@code bin/isthmus}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int rc = new Launcher(System.out, System.err).run(args);
        if (rc != 0) {
            System.exit(rc);
        }
    }
}
