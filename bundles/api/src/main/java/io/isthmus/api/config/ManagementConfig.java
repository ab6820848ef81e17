package io.isthmus.api.config;

import java.util.List;
import java.util.Optional;

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
 */
public record ManagementConfig(List<String> brokers, Optional<String> deviceId, String mqttVersion,
        Optional<String> username, Optional<String> password, Optional<String> passwordFile, int keepAliveSeconds,
        Tls tls) {
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

    public ManagementConfig {
        brokers = List.copyOf(brokers);
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
