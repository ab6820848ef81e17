package io.isthmus.api.config;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** Multicast flows passed between ports (OPC UA PubSub and discovery). */
@ProviderType
public record MulticastConfig(List<PassThrough> passThrough) {

    public MulticastConfig {
        passThrough = List.copyOf(passThrough);
    }

    public static MulticastConfig empty() {
        return new MulticastConfig(List.of());
    }

    public record PassThrough(String group, int port, String from, List<String> to) {
        public PassThrough {
            to = List.copyOf(to);
        }
    }
}
