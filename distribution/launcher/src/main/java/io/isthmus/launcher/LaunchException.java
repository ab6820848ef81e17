package io.isthmus.launcher;

/** A problem that stops the launch; its message is the one line the user sees (file and problem). */
public final class LaunchException extends Exception {
    private static final long serialVersionUID = 1L;

    public LaunchException(String message) {
        super(message);
    }

    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
