package io.isthmus.mgmt.transport;

import java.util.Optional;
import java.util.regex.Pattern;

/** The topics of one device under {@code isthmus/v1/<deviceId>/} (docs/mqtt.md, Topics). */
public record Topics(String deviceId) {
    public static final String PREFIX = "isthmus/v1/";
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    String root() {
        return PREFIX + deviceId + "/";
    }

    public String state() {
        return root() + "state";
    }

    String commands() {
        return root() + "cmd/+";
    }

    public String event(String type) {
        return root() + "evt/" + type;
    }

    /**
     * Where the commit check sends itself a message through the broker: under the command topics the agent
     * subscribes to anyway (so a broker ACL for the device covers it), with a name no command can have.
     */
    public String probe() {
        return root() + "cmd/.probe";
    }

    /** The command a request topic names, if it is one of this device's command topics. */
    public Optional<String> command(String topic) {
        String prefix = root() + "cmd/";
        return topic.startsWith(prefix) ? Optional.of(topic.substring(prefix.length())) : Optional.empty();
    }

    /**
     * A topic a reply may go to: a valid topic name (no wildcards, no NUL), and never under {@code isthmus/v1/} —
     * not this device's own topics, where a reply could pose as state or loop back as a command, and not another
     * device's, where a request to this gateway could make it publish into that gateway's command topic.
     */
    public boolean validReplyTopic(String topic) {
        return !topic.isEmpty() && topic.length() <= 1024 && topic.indexOf('+') < 0 && topic.indexOf('#') < 0
                && topic.indexOf('\0') < 0 && !topic.startsWith(PREFIX);
    }
}
