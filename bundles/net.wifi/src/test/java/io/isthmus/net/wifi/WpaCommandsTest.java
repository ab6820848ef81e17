package io.isthmus.net.wifi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WpaCommandsTest {

    static WifiSettings settings(Map<String, Object> wifi) {
        return WifiSettingsTest.parse(wifi);
    }

    static Map<String, String> fields(WifiSettings s, boolean wired) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        WpaCommands.network(s, wired).forEach(f -> m.put(f.name(), f.value()));
        return m;
    }

    @Test
    void pskNetworkHexEncodesTheSsidAndQuotesThePassphrase() {
        Map<String, String> f = fields(settings(WifiSettingsTest.map("ssid", "plant \"floor\"", "hidden", true,
                "psk", "pass phrase \" 1", "bssid", "02:aa:00:00:00:02", "band", "2.4")), false);
        assertEquals("706c616e742022666c6f6f7222", f.get("ssid"));
        assertEquals("1", f.get("scan_ssid"));
        assertEquals("WPA-PSK", f.get("key_mgmt"));
        assertEquals("RSN", f.get("proto"));
        assertEquals("\"pass phrase \" 1\"", f.get("psk"));
        assertEquals("02:aa:00:00:00:02", f.get("bssid"));
        assertTrue(f.get("freq_list").startsWith("2412 2417"));
        assertFalse(f.get("freq_list").contains("5180"));
    }

    @Test
    void aPreferredAccessPointIsAHintNotAPin() {
        Map<String, String> f = fields(settings(WifiSettingsTest.map("ssid", "a", "preferredBssid",
                "02:aa:00:00:00:02")), false);
        assertEquals("02:aa:00:00:00:02", f.get("bssid_hint"));
        assertFalse(f.containsKey("bssid"));
    }

    @Test
    void rawKeySaeAndOpen() {
        String key = "0123456789ABCDEF".repeat(4);
        assertEquals(key.toLowerCase(), fields(settings(WifiSettingsTest.map("ssid", "a", "psk", key)), false).get("psk"));
        Map<String, String> sae = fields(settings(WifiSettingsTest.map("ssid", "a", "security", "wpa3-sae", "psk",
                "12345678")), false);
        assertEquals("SAE", sae.get("key_mgmt"));
        assertEquals("2", sae.get("ieee80211w"));
        assertEquals(List.of("ssid", "key_mgmt"), List.copyOf(fields(settings(WifiSettingsTest.map("ssid", "a")),
                true).keySet()));
    }

    @Test
    void enterpriseOnRadioAndOnTheWiredLabDriver() {
        WifiSettings s = settings(WifiSettingsTest.map("ssid", "a", "eap", WifiSettingsTest.map("method", "ttls",
                "identity", "alice", "anonymousIdentity", "anon", "password", "s3cret", "phase2", "pap",
                "caCert", "/etc/ca.pem")));
        Map<String, String> radio = fields(s, false);
        assertEquals("WPA-EAP", radio.get("key_mgmt"));
        assertEquals("TTLS", radio.get("eap"));
        assertEquals(WpaCommands.hex("alice"), radio.get("identity"));
        assertEquals(WpaCommands.hex("anon"), radio.get("anonymous_identity"));
        assertEquals(WpaCommands.hex("s3cret"), radio.get("password"));
        assertEquals(WpaCommands.hex("auth=PAP"), radio.get("phase2"));
        assertEquals(WpaCommands.hex("/etc/ca.pem"), radio.get("ca_cert"));
        Map<String, String> wired = fields(s, true);
        assertEquals("IEEE8021X", wired.get("key_mgmt"));
        assertEquals("0", wired.get("eapol_flags"));
        assertThrows(UnsupportedOperationException.class,
                () -> WpaCommands.network(settings(WifiSettingsTest.map("ssid", "a", "psk", "12345678")), true));
    }

    @Test
    void secretsStayOutOfTextAndTheFingerprintFollowsThem() {
        List<WpaCommands.Field> a = WpaCommands.network(settings(WifiSettingsTest.map("ssid", "a", "psk",
                "first-pass")), false);
        List<WpaCommands.Field> b = WpaCommands.network(settings(WifiSettingsTest.map("ssid", "a", "psk",
                "other-pass")), false);
        assertFalse(a.toString().contains("first-pass"));
        assertTrue(a.toString().contains("psk=<hidden>"));
        assertEquals("SET_NETWORK 3 psk", WpaCommands.verb(WpaCommands.set(3, a.get(a.size() - 1))));
        assertEquals("STATUS", WpaCommands.verb("STATUS"));
        assertEquals(WpaCommands.fingerprint(a, "salt"), WpaCommands.fingerprint(a, "salt"));
        assertNotEquals(WpaCommands.fingerprint(a, "salt"), WpaCommands.fingerprint(b, "salt"));
        assertNotEquals(WpaCommands.fingerprint(a, "salt"), WpaCommands.fingerprint(a, "other"));
        assertTrue(WpaCommands.fingerprint(a, "salt").matches("isthmus-[0-9a-f]{24}"));
    }
}
