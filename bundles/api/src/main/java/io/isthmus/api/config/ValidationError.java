package io.isthmus.api.config;

/**
 * One problem in a document.
 *
 * @param pointer RFC 6901 JSON pointer to the offending value, e.g. {@code /ports/eth0/ipv4}
 */
public record ValidationError(String pointer, String message) {
    @Override
    public String toString() {
        return (pointer.isEmpty() ? "/" : pointer) + ": " + message;
    }
}
