package io.isthmus.api.linux;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: told when a link appears, disappears, or changes carrier or operstate — within 100 ms of the
 * kernel's event. Called on one thread per listener; must not block.
 */
@ConsumerType
public interface LinkListener {
    void linkChanged(String device, java.util.Optional<Link> now);
}
