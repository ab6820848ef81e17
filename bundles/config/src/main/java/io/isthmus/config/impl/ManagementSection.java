package io.isthmus.config.impl;

import io.isthmus.api.config.ManagementConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads {@code /management}: the MQTT brokers and the device id used in topics. */
final class ManagementSection {
    static final List<String> KEYS = List.of("brokers", "deviceId");
    private static final List<String> SCHEMES = List.of("tcp", "ssl", "ws", "wss", "mqtt", "mqtts");
    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final ValueReader in;

    ManagementSection(ValueReader in) {
        this.in = in;
    }

    ManagementConfig read(Optional<Located> section) {
        return section.flatMap(s -> in.object(s, KEYS)).map(s -> new ManagementConfig(
                in.optionalList(s, "brokers", this::broker),
                s.get("deviceId").flatMap(d -> in.matching(d, DEVICE_ID, "1 to 64 of A-Z a-z 0-9 _ -"))))
                .orElse(ManagementConfig.empty());
    }

    private Optional<String> broker(Located at) {
        return in.string(at).flatMap(text -> {
            String expected = "; expected a URI like ssl://broker.example.com:8883 with scheme "
                    + String.join(", ", SCHEMES);
            URI uri;
            try {
                uri = new URI(text);
            } catch (URISyntaxException e) {
                return in.fail(at, at.describe() + " is not a URI (" + e.getReason() + ")" + expected);
            }
            // Lower case only: the MQTT client compares schemes exactly, so "SSL://" would fail at connect time.
            if (uri.getScheme() == null || !SCHEMES.contains(uri.getScheme())) {
                return in.fail(at, "unsupported broker scheme in " + at.describe() + expected);
            }
            if (uri.getHost() == null) {
                return in.fail(at, "no host in " + at.describe() + expected);
            }
            return Optional.of(text);
        });
    }
}
