package io.isthmus.api.config;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The remote management channel. Empty brokers: no remote management.
 *
 * @param brokers          broker URIs, tried in order
 * @param deviceId         the id in topics {@code isthmus/v1/<deviceId>/}; empty: the host name
 * @param mqttVersion      {@value #MQTT_5} or {@value #MQTT_3_1_1}
 * @param username         MQTT user name, if the broker wants one
 * @param password         MQTT password given inline (kept in the generations on disk)
 * @param passwordFile     a file holding the password (first line), read at connect time
 * @param keepAliveSeconds MQTT keep-alive: how soon a dead connection is noticed
 * @param tls              for {@code ssl://}, {@code mqtts://} and {@code wss://} brokers
 * @param commands         which commands the agent runs (default: all)
 */
@ProviderType
public record ManagementConfig(List<String> brokers, Optional<String> deviceId, String mqttVersion,
        Optional<String> username, Optional<String> password, Optional<String> passwordFile, int keepAliveSeconds,
        Tls tls, CommandPolicy commands) {
    public static final String MQTT_5 = "5";
    public static final String MQTT_3_1_1 = "3.1.1";
    public static final int DEFAULT_KEEP_ALIVE_SECONDS = 30;

    /**
     * TLS: the server is always verified (certificate chain and host name) against {@code caFile}, else the
     * JVM's trusted CAs; {@code certFile} + {@code keyFile} (PEM, key in PKCS#8) authenticate the gateway.
     */
    public record Tls(Optional<String> caFile, Optional<String> certFile, Optional<String> keyFile) {
        public static Tls none() {
            return new Tls(Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    /**
     * Which commands this gateway runs, beyond what the broker's ACLs let through: a command runs when it matches
     * an {@code allow} pattern and no {@code deny} pattern; any other gets 403 {@code forbidden} before a handler
     * runs. A pattern is a command name ({@code config.put}), a family ({@code diag.*}: every command starting
     * with {@code diag.}) or {@code *} (every command).
     */
    public record CommandPolicy(List<String> allow, List<String> deny) {
        /** A command name, a family {@code name.*}, or {@code *}. */
        public static final Pattern PATTERN = Pattern.compile("\\*|[a-z0-9][a-z0-9._-]{0,63}|[a-z0-9][a-z0-9._-]{0,61}\\.\\*");
        public static final CommandPolicy ALL = new CommandPolicy(List.of("*"), List.of());

        public CommandPolicy {
            allow = List.copyOf(allow);
            deny = List.copyOf(deny);
        }

        public boolean allows(String command) {
            return allow.stream().anyMatch(p -> matches(p, command)) && deny.stream().noneMatch(p -> matches(p,
                    command));
        }

        public static boolean matches(String pattern, String command) {
            if (pattern.equals("*")) {
                return true;
            }
            return pattern.endsWith(".*") ? command.startsWith(pattern.substring(0, pattern.length() - 1))
                    : pattern.equals(command);
        }
    }

    public ManagementConfig {
        brokers = List.copyOf(brokers);
    }

    /** Every command allowed: the shape before command policies (api.config 1.1). */
    public ManagementConfig(List<String> brokers, Optional<String> deviceId, String mqttVersion,
            Optional<String> username, Optional<String> password, Optional<String> passwordFile, int keepAliveSeconds,
            Tls tls) {
        this(brokers, deviceId, mqttVersion, username, password, passwordFile, keepAliveSeconds, tls,
                CommandPolicy.ALL);
    }

    /** Brokers and device id with every other field at its default. */
    public ManagementConfig(List<String> brokers, Optional<String> deviceId) {
        this(brokers, deviceId, MQTT_5, Optional.empty(), Optional.empty(), Optional.empty(),
                DEFAULT_KEEP_ALIVE_SECONDS, Tls.none());
    }

    public static ManagementConfig empty() {
        return new ManagementConfig(List.of(), Optional.empty());
    }
}
