package io.isthmus.net.cellular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.config.ValidationError;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CellularSettingsTest {
    static final String AT = "/ports/wwan0/cellular";

    static List<String> pointers(Object settings) {
        return CellularSettings.validate(AT, settings).stream().map(ValidationError::pointer).toList();
    }

    @Test
    void aPlainApnIsValidAndGetsTheDefaults() {
        assertEquals(List.of(), pointers(Map.of("apn", "internet")));
        CellularSettings s = CellularSettings.of(Map.of("apn", "internet"));
        assertEquals(CellularSettings.Auth.ANY, s.auth());
        assertEquals(CellularSettings.IpType.IPV4, s.ipType());
        assertEquals(CellularSettings.Recovery.DEFAULT, s.recovery());
    }

    @Test
    void apnsFollow3gppLabels() {
        for (String good : List.of("internet", "web.vodafone.de", "m2m-iot.operator1", "a", "x".repeat(62))) {
            assertEquals(List.of(), pointers(Map.of("apn", good)), good);
        }
        for (String bad : List.of("", "inter net", "internet_", ".internet", "internet.", "-iot", "iot-", "ä.de",
                "x".repeat(63), "a/b", "apn;rm")) {
            assertEquals(List.of(AT + "/apn"), pointers(Map.of("apn", bad)), bad);
        }
        assertEquals(List.of(AT + "/apn"), pointers(Map.of("apn", 42)));
        assertEquals(List.of(AT), pointers(Map.of("pin", "1234")), "the APN is required");
    }

    @Test
    void pinsAreFourToEightDigitsAsAString() {
        assertEquals(List.of(), pointers(Map.of("apn", "internet", "pin", "0000")));
        assertEquals(List.of(), pointers(Map.of("apn", "internet", "pin", "12345678")));
        for (Object bad : List.of("123", "123456789", "12a4", " 1234", 1234)) {
            assertEquals(List.of(AT + "/pin"), pointers(Map.of("apn", "internet", "pin", bad)), String.valueOf(bad));
        }
    }

    @Test
    void enumsAndUnknownKeysPointAtTheirKey() {
        assertEquals(List.of(AT + "/auth", AT + "/ipType", AT + "/roaming", AT + "/tries"), pointers(Map.of(
                "apn", "internet", "auth", "kerberos", "ipType", "ipv5", "roaming", "yes", "tries", 3)).stream()
                .sorted().toList());
        assertEquals(List.of(), pointers(Map.of("apn", "internet", "auth", "chap", "ipType", "ipv4v6",
                "roaming", true, "username", "u", "password", "p", "modem", "356938035643809")));
    }

    @Test
    void recoverySettingsAreBoundedAndConsistent() {
        Map<String, Object> r = Map.of("reconnectMinMs", 500, "reconnectMaxMs", 4000, "resetAfterFailures", 3,
                "minResetIntervalS", 10);
        assertEquals(List.of(), pointers(Map.of("apn", "internet", "recovery", r)));
        CellularSettings s = CellularSettings.of(Map.of("apn", "internet", "recovery", r));
        assertEquals(new CellularSettings.Recovery(Duration.ofMillis(500), Duration.ofMillis(4000), 3,
                Duration.ofSeconds(10)), s.recovery());
        assertEquals(List.of(AT + "/recovery/resetAfterFailures"), pointers(Map.of("apn", "internet", "recovery",
                Map.of("resetAfterFailures", 0))));
        assertEquals(List.of(AT + "/recovery/reconnectMaxMs"), pointers(Map.of("apn", "internet", "recovery",
                Map.of("reconnectMinMs", 5000, "reconnectMaxMs", 1000))));
        assertEquals(List.of(AT + "/recovery/minResetIntervalS"), pointers(Map.of("apn", "internet", "recovery",
                Map.of("minResetIntervalS", 1.5))));
    }

    @Test
    void toStringNeverShowsSecrets() {
        String text = CellularSettings.of(Map.of("apn", "internet", "pin", "4711", "password", "s3cret")).toString();
        assertTrue(!text.contains("4711") && !text.contains("s3cret"), text);
    }
}
