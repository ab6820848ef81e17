package io.isthmus.net.wifi;

import java.util.Optional;
import org.osgi.framework.BundleContext;

/** Component settings with framework-property overrides ({@code isthmus.wifi.<name>}), for the lab and tests. */
record DriverOptions(String supplicantDriver, String ctrlDir, boolean startSupplicant, long reconnectMinMs,
        long reconnectMaxMs, long requestTimeoutMs) {

    static DriverOptions of(WifiConfig c, BundleContext context) {
        return new DriverOptions(
                property(context, "supplicantDriver").orElse(c.supplicantDriver()),
                property(context, "ctrlDir").orElse(c.ctrlDir()),
                property(context, "startSupplicant").map(Boolean::parseBoolean).orElse(c.startSupplicant()),
                property(context, "reconnectMinMs").map(Long::parseLong).orElse(c.reconnectMinMs()),
                property(context, "reconnectMaxMs").map(Long::parseLong).orElse(c.reconnectMaxMs()),
                property(context, "requestTimeoutMs").map(Long::parseLong).orElse(c.requestTimeoutMs()));
    }

    private static Optional<String> property(BundleContext context, String name) {
        return Optional.ofNullable(context.getProperty("isthmus.wifi." + name)).map(String::strip)
                .filter(v -> !v.isEmpty());
    }

    boolean wired() {
        return "wired".equals(supplicantDriver);
    }
}
