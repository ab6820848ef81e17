package io.isthmus.mgmt;

import io.isthmus.api.mgmt.CommandReply;
import java.time.Duration;
import java.util.Optional;

/** The agent's side of {@code credentials.rotate} (a service private to this bundle). */
public interface CredentialRotation {
    /**
     * Tries the gateway's new certificate and key (and CA bundle) with test before commit: the agent reconnects
     * with them and keeps them only if the broker takes them, and a message makes the round trip, within
     * {@code window}; otherwise it goes back to the set it had. The texts are checked by the caller.
     */
    CommandReply rotate(String certificate, String key, Optional<String> ca, Duration window);
}
