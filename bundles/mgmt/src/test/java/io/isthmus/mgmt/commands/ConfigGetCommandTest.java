package io.isthmus.mgmt.commands;

import io.isthmus.mgmt.dispatch.BadRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;


class ConfigGetCommandTest {
    @Test
    void anInlineBrokerPasswordIsNeverEchoed() {
        Map<String, Object> doc = Map.of("management", Map.of("brokers", java.util.List.of("ssl://b:8883"),
                "username", "gw-0001", "password", "s3cret"), "dns", Map.of());
        Map<String, Object> shown = ConfigGetCommand.withoutSecrets(doc);
        assertEquals(ConfigGetCommand.HIDDEN, ((Map<?, ?>) shown.get("management")).get("password"));
        assertEquals("gw-0001", ((Map<?, ?>) shown.get("management")).get("username"));
        assertEquals(doc.get("dns"), shown.get("dns"));
        assertEquals("s3cret", ((Map<?, ?>) doc.get("management")).get("password"), "the stored document is untouched");
    }

    @Test
    void wifiAndCellularSecretsAreNeverEchoed() {
        Map<String, Object> doc = Map.of("ports", Map.of(
                "wlan0", Map.of("kind", "wifi", "wifi", Map.of("ssid", "plant", "psk", "correct horse",
                        "eap", Map.of("method", "peap", "identity", "gw", "password", "eap-secret"))),
                "wwan0", Map.of("kind", "cellular", "cellular", Map.of("apn", "internet", "pin", "1234",
                        "password", "bearer-secret"))));
        String shown = ConfigGetCommand.withoutSecrets(doc).toString();
        for (String secret : java.util.List.of("correct horse", "eap-secret", "1234", "bearer-secret")) {
            assertEquals(-1, shown.indexOf(secret), secret + " must not be shown: " + shown);
        }
        assertEquals(true, shown.contains("ssid=plant") && shown.contains("identity=gw") && shown.contains("apn=internet"),
                "what is not secret stays visible: " + shown);
    }

    @Test
    void aHiddenSecretPutBackIsAnErrorAtItsPointer() {
        Map<String, Object> shown = ConfigGetCommand.withoutSecrets(Map.of("ports", Map.of("wlan0",
                Map.of("kind", "wifi", "wifi", Map.of("ssid", "plant", "psk", "correct horse")))));
        java.util.List<io.isthmus.api.config.ValidationError> errors = ConfigGetCommand.placeholders(shown);
        assertEquals(java.util.List.of("/ports/wlan0/wifi/psk"), errors.stream().map(e -> e.pointer()).toList());
        assertEquals(java.util.List.of(), ConfigGetCommand.placeholders(Map.of("ports", Map.of("wlan0",
                Map.of("wifi", Map.of("psk", "correct horse"))))), "a real secret is fine");
    }

    @Test
    void aValueNestedDeeperThanAnyParsedOneIsRefusedNotAStackOverflow() {
        Object deep = Map.of();
        for (int i = 0; i < 100_000; i++) {
            deep = Map.of("a", deep);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> document = (Map<String, Object>) deep;

        BadRequest e = org.junit.jupiter.api.Assertions.assertThrows(BadRequest.class,
                () -> ConfigGetCommand.placeholders(document));
        assertEquals("/a".repeat(32), e.pointer());
        org.junit.jupiter.api.Assertions.assertThrows(BadRequest.class,
                () -> ConfigGetCommand.withoutSecrets(document));
    }
}
