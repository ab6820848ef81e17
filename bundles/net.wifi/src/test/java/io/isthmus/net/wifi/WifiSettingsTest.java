package io.isthmus.net.wifi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.config.ValidationError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WifiSettingsTest {
    static final String BASE = "/ports/wlan0/wifi";

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static List<String> pointers(Object value) {
        return WifiSettings.errorsOf(value, BASE).stream().map(ValidationError::pointer).toList();
    }

    static WifiSettings parse(Object value) {
        List<ValidationError> errors = new ArrayList<>();
        Optional<WifiSettings> s = WifiSettings.parse(value, BASE, errors);
        assertEquals(List.of(), errors);
        return s.orElseThrow();
    }

    static Map<String, Object> peap() {
        return map("method", "peap", "identity", "alice", "password", "secret", "phase2", "mschapv2");
    }

    @Test
    void pskNetworkWithEveryOption() {
        WifiSettings s = parse(map("ssid", "plant-floor", "hidden", true, "security", "wpa2-psk", "psk", "12345678",
                "bssid", "02:AA:00:00:00:02", "band", "5", "country", "DE"));
        assertEquals(Optional.of("plant-floor"), s.ssid());
        assertTrue(s.hidden());
        assertEquals(WifiSettings.Security.WPA2_PSK, s.security());
        assertEquals(Optional.of("02:aa:00:00:00:02"), s.bssid());
        assertEquals(WifiSettings.Band.GHZ_5, s.band());
        assertEquals(Optional.of("DE"), s.country());
    }

    @Test
    void securityFollowsFromPskOrEapWhenNotGiven() {
        assertEquals(WifiSettings.Security.WPA2_PSK, parse(map("ssid", "a", "psk", "12345678")).security());
        assertEquals(WifiSettings.Security.WPA2_EAP, parse(map("ssid", "a", "eap", peap())).security());
        assertEquals(WifiSettings.Security.OPEN, parse(map("ssid", "a")).security());
        assertEquals(WifiSettings.NONE, parse(null));
    }

    @Test
    void pskShorterThanEightIsRejectedWithItsPointer() {
        assertEquals(List.of(BASE + "/psk"), pointers(map("ssid", "a", "security", "wpa2-psk", "psk", "1234567")));
        assertEquals(List.of(BASE + "/psk"), pointers(map("ssid", "a", "psk", "x".repeat(64))));
        assertEquals(List.of(BASE + "/psk"), pointers(map("ssid", "a", "psk", "pass\u00e9word")));
        assertEquals(List.of(), pointers(map("ssid", "a", "psk", "0123456789abcdef".repeat(4))));
        assertEquals(List.of(BASE + "/psk"), pointers(map("ssid", "a", "security", "wpa3-sae", "psk",
                "0123456789abcdef".repeat(4))), "SAE needs the passphrase");
        assertEquals(List.of(BASE + "/psk"), pointers(map("ssid", "a", "security", "wpa2-psk")));
        assertEquals(List.of(BASE + "/psk"), pointers(map("ssid", "a", "security", "open", "psk", "12345678")));
    }

    @Test
    void unknownEapMethodIsRejectedWithItsPointer() {
        Map<String, Object> eap = peap();
        eap.put("method", "leap");
        assertEquals(List.of(BASE + "/eap/method"), pointers(map("ssid", "a", "security", "wpa2-eap", "eap", eap)));
    }

    @Test
    void eapRules() {
        assertEquals(List.of(BASE + "/eap"), pointers(map("ssid", "a", "security", "wpa2-eap")));
        assertEquals(List.of(BASE + "/eap/identity"), pointers(map("ssid", "a", "eap",
                map("method", "ttls", "password", "p"))));
        assertEquals(List.of(BASE + "/eap/password"), pointers(map("ssid", "a", "eap",
                map("method", "peap", "identity", "i"))));
        assertEquals(List.of(BASE + "/eap/clientCert", BASE + "/eap/privateKey"), pointers(map("ssid", "a", "eap",
                map("method", "tls", "identity", "i"))));
        assertEquals(List.of(), pointers(map("ssid", "a", "eap", map("method", "tls", "identity", "i",
                "clientCert", "/etc/isthmus/gw.pem", "privateKey", "/etc/isthmus/gw.key", "privateKeyPassword", "k"))));
        assertEquals(List.of(BASE + "/eap/caCert"), pointers(map("ssid", "a", "eap", map("method", "peap",
                "identity", "i", "password", "p", "caCert", "ca.pem"))));
        assertEquals(List.of(BASE + "/eap/phase2"), pointers(map("ssid", "a", "eap", map("method", "peap",
                "identity", "i", "password", "p", "phase2", "md6"))));
        assertEquals(List.of(BASE + "/eap/method"), pointers(map("ssid", "a", "eap", map("identity", "i",
                "password", "p"))));
        assertEquals(List.of(BASE + "/eap"), pointers(map("ssid", "a", "security", "wpa2-psk", "psk", "12345678",
                "eap", peap())));
    }

    @Test
    void ssidIsOneTo32Bytes() {
        assertEquals(List.of(BASE + "/ssid"), pointers(map("ssid", "")));
        assertEquals(List.of(BASE + "/ssid"), pointers(map("ssid", "x".repeat(33))));
        assertEquals(List.of(), pointers(map("ssid", "\u00e9".repeat(16))), "32 bytes in UTF-8");
        assertEquals(List.of(BASE + "/ssid"), pointers(map("ssid", "\u00e9".repeat(17))));
        assertEquals(List.of(BASE + "/ssid"), pointers(map("ssid", "two\nlines")));
        assertEquals(List.of(BASE + "/ssid"), pointers(map("psk", "12345678")), "a psk without a network");
        assertEquals(List.of(), pointers(map()), "an empty object: the port stays down");
    }

    @Test
    void otherSettingsAreChecked() {
        assertEquals(List.of(BASE + "/bssid"), pointers(map("ssid", "a", "bssid", "02:aa:00:00:00")));
        assertEquals(List.of(BASE + "/preferredBssid"), pointers(map("ssid", "a", "preferredBssid", "x")));
        assertEquals(List.of(BASE + "/preferredBssid"), pointers(map("ssid", "a", "bssid", "02:aa:00:00:00:01",
                "preferredBssid", "02:aa:00:00:00:02")));
        assertEquals(java.util.Optional.of("02:aa:00:00:00:02"), parse(map("ssid", "a", "preferredBssid",
                "02:AA:00:00:00:02")).preferredBssid());
        assertEquals(List.of(BASE + "/band"), pointers(map("ssid", "a", "band", "6")));
        assertEquals(List.of(BASE + "/country"), pointers(map("ssid", "a", "country", "de")));
        assertEquals(List.of(BASE + "/hidden"), pointers(map("ssid", "a", "hidden", "yes")));
        assertEquals(List.of(BASE + "/security"), pointers(map("ssid", "a", "security", "wep")));
        assertEquals(List.of(BASE + "/password"), pointers(map("ssid", "a", "password", "x")));
        assertEquals(List.of(BASE + "/ssid"), pointers(map("ssid", 7)));
        assertEquals(List.of(BASE), pointers("wlan"));
    }

    @Test
    void describeNamesNoSecret() {
        String text = parse(map("ssid", "a", "eap", peap())).describe();
        assertEquals("ssid \"a\", wpa2-eap (peap)", text);
    }

    @Test
    void bandOfFrequency() {
        assertEquals(Optional.of("2.4"), WifiSettings.Band.ofFrequency(2412));
        assertEquals(Optional.of("5"), WifiSettings.Band.ofFrequency(5180));
        assertEquals(Optional.of("6"), WifiSettings.Band.ofFrequency(5955));
        assertEquals(Optional.empty(), WifiSettings.Band.ofFrequency(0));
    }
}
