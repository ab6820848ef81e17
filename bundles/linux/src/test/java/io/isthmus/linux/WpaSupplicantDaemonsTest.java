package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isthmus.api.linux.KernelException;
import java.util.List;
import org.junit.jupiter.api.Test;

class WpaSupplicantDaemonsTest {

    @Test
    void argumentsNameDeviceDriverAndControlDirectory() throws KernelException {
        assertEquals(List.of("-i", "wlan0", "-D", "nl80211,wext", "-C", "/run/isthmus/wpa_supplicant"),
                WpaSupplicantDaemons.arguments("wlan0", "nl80211,wext", "/run/isthmus/wpa_supplicant"));
    }

    @Test
    void everyWordIsChecked() {
        assertThrows(KernelException.class, () -> WpaSupplicantDaemons.arguments("wlan0;x", "wired", "/run/w"));
        assertThrows(KernelException.class, () -> WpaSupplicantDaemons.arguments("wlan0", "-dd", "/run/w"));
        assertThrows(KernelException.class, () -> WpaSupplicantDaemons.arguments("wlan0", "wired", "run/w"));
        assertThrows(KernelException.class, () -> WpaSupplicantDaemons.arguments("wlan0", "wired", "/run/../etc"));
        assertThrows(KernelException.class, () -> WpaSupplicantDaemons.arguments("wlan0", "wired", "/run/a b"));
        assertThrows(KernelException.class,
                () -> WpaSupplicantDaemons.arguments("wlan0", "wired", "/" + "d".repeat(110)));
    }
}
