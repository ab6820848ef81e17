package io.isthmus.api.config;

import java.util.List;
import java.util.Optional;

/** The remote management channel. Empty brokers: no remote management. */
public record ManagementConfig(List<String> brokers, Optional<String> deviceId) {
    public ManagementConfig {
        brokers = List.copyOf(brokers);
    }

    public static ManagementConfig empty() {
        return new ManagementConfig(List.of(), Optional.empty());
    }
}
