package io.isthmus.mgmt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

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
}
