package io.isthmus.state;

/** A state file whose content does not have the documented shape: says which value (JSON pointer) and why. */
public final class StateFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String pointer;

    public StateFormatException(String pointer, String problem) {
        super(pointer + ": " + problem);
        this.pointer = pointer;
    }

    public String pointer() {
        return pointer;
    }
}
