package io.isthmus.api.config;

import org.osgi.annotation.versioning.ProviderType;

/** An applier could not bring the system to the desired state. */
@ProviderType
public class ApplyException extends Exception {
    private static final long serialVersionUID = 1L;

    public ApplyException(String message) {
        super(message);
    }

    public ApplyException(String message, Throwable cause) {
        super(message, cause);
    }
}
