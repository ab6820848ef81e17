package io.isthmus.api.linux;

import org.osgi.annotation.versioning.ProviderType;

/** A kernel read or write failed; the message carries the command and what it printed on stderr. */
@ProviderType
public class KernelException extends Exception {
    private static final long serialVersionUID = 1L;

    public KernelException(String message) {
        super(message);
    }

    public KernelException(String message, Throwable cause) {
        super(message, cause);
    }
}
