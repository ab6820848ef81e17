package io.isthmus.api.net;

import java.util.Arrays;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** The driver a port wants. Each kind has a default cost used when the document gives none. */
@ProviderType
public enum PortKind {
    ETHERNET(0), WIFI(10), CELLULAR(100);

    private final int defaultCost;

    PortKind(int defaultCost) {
        this.defaultCost = defaultCost;
    }

    public int defaultCost() {
        return defaultCost;
    }

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<PortKind> of(String id) {
        return Arrays.stream(values()).filter(k -> k.id().equals(id)).findFirst();
    }
}
