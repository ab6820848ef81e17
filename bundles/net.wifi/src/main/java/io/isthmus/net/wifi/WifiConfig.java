package io.isthmus.net.wifi;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The driver's own settings (PID {@value #PID}, defaults in features/wifi.json). A framework property
 * {@code isthmus.wifi.<name>} overrides each one (the lab and tests use it: driver {@code wired}).
 */
@ObjectClassDefinition(name = "Isthmus WiFi driver")
public @interface WifiConfig {
    String PID = "io.isthmus.net.wifi";

    @AttributeDefinition(description = "wpa_supplicant driver (-D): nl80211 on real hardware; wired in the lab")
    String supplicantDriver() default "nl80211";

    @AttributeDefinition(description = "Directory of wpa_supplicant's control sockets (-C), <dir>/<port>")
    String ctrlDir() default "/run/isthmus/wpa_supplicant";

    @AttributeDefinition(description = "true: the gateway runs one wpa_supplicant per WiFi port; false: it attaches "
            + "to one already running (e.g. a system service) with its control socket in ctrlDir")
    boolean startSupplicant() default true;

    @AttributeDefinition(description = "Reconnect back-off: first wait in ms")
    long reconnectMinMs() default 1000;

    @AttributeDefinition(description = "Reconnect back-off: longest wait in ms")
    long reconnectMaxMs() default 60000;

    @AttributeDefinition(description = "Timeout of one control-socket request in ms")
    long requestTimeoutMs() default 2000;
}
