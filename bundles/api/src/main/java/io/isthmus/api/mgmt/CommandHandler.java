package io.isthmus.api.mgmt;

import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: a management command, registered with the service property {@value #COMMAND}
 * (e.g. {@code status}). Requests and replies are plain Java values (Map, List, String, Number, Boolean).
 */
@ConsumerType
public interface CommandHandler {
    String COMMAND = "isthmus.command";

    /**
     * Optional service property: how long the handler may take, in milliseconds, before the requester gets a
     * 503 (default: the agent's handler timeout). Commands that wait for a test window (config.put) raise it.
     */
    String TIMEOUT_MS = "isthmus.command.timeout.ms";

    CommandReply handle(Map<String, Object> request);
}
