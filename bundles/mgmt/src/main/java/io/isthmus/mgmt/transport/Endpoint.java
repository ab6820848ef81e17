package io.isthmus.mgmt.transport;

import io.isthmus.api.config.ManagementConfig;
import java.time.Duration;
import java.util.Optional;
import javax.net.SocketFactory;

/**
 * Everything one connection attempt needs, for one broker URI (Paho's schemes: {@code mqtt://} becomes
 * {@code tcp://}, {@code mqtts://} becomes {@code ssl://}). {@code willDelaySeconds}: MQTT 5 only, how long the
 * broker holds the Last Will of a connection that ended without a clean DISCONNECT; a new connection of the same
 * session within it cancels the will.
 */
public record Endpoint(String broker, String clientId, String mqttVersion, Optional<String> username,
        Optional<char[]> password, int keepAliveSeconds, SocketFactory sockets, String willTopic,
        byte[] willPayload, long sessionExpirySeconds, long willDelaySeconds) {

    static String pahoUri(String uri) {
        if (uri.startsWith("mqtt://")) {
            return "tcp://" + uri.substring("mqtt://".length());
        }
        if (uri.startsWith("mqtts://")) {
            return "ssl://" + uri.substring("mqtts://".length());
        }
        return uri;
    }

    /** TLS: the broker's host name is verified as well as its certificate chain. */
    boolean secure() {
        return secure(broker);
    }

    public static boolean secure(String uri) {
        return uri.startsWith("ssl://") || uri.startsWith("mqtts://") || uri.startsWith("wss://");
    }

    /** The broker URI's host ({@code ssl://[::1]:8883} gives {@code ::1}); empty when it has none. */
    public static String host(String uri) {
        try {
            String h = java.net.URI.create(uri).getHost();
            return h == null ? "" : h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    public boolean mqtt5() {
        return ManagementConfig.MQTT_5.equals(mqttVersion);
    }

    static int seconds(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toSeconds()));
    }
}
