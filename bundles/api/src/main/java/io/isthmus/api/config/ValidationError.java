package io.isthmus.api.config;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One problem in a document.
 *
 * @param pointer RFC 6901 JSON pointer to the offending value, e.g. {@code /ports/eth0/ipv4}
 */
@ProviderType
public record ValidationError(String pointer, String message) {
    @Override
    public String toString() {
        return (pointer.isEmpty() ? "/" : pointer) + ": " + message;
    }
}
