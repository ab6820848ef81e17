package io.isthmus.api.mgmt;

import java.util.Map;

/**
 * Whiteboard: a management command, registered with the service property {@value #COMMAND}
 * (e.g. {@code status}). Requests and replies are plain Java values (Map, List, String, Number, Boolean).
 */
public interface CommandHandler {
    String COMMAND = "isthmus.command";

    CommandReply handle(Map<String, Object> request);
}
