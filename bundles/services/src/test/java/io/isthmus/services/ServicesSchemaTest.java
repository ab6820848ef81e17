package io.isthmus.services;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isthmus.api.json.StrictJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON Schema's services objects name exactly the fields, defaults and bounds this bundle reads. */
class ServicesSchemaTest {
    @SuppressWarnings("unchecked")
    static Map<String, Object> at(Map<String, Object> m, String... path) {
        Map<String, Object> at = m;
        for (String p : path) {
            at = (Map<String, Object>) at.get(p);
        }
        return at;
    }

    @Test
    void schemaNamesTheFieldsTheSectionReads() throws Exception {
        Map<String, Object> schema = StrictJson.readObject(Files.readString(Path.of(
                "../../docs/reference/network-document.schema.json")));
        assertEquals("#/$defs/services", at(schema, "patternProperties", "^services$").get("$ref"));
        Map<String, Object> defs = at(schema, "$defs");
        assertEquals(ServicesSection.KEYS, List.copyOf(at(defs, "services", "properties").keySet()));
        assertEquals(ServicesSection.PORT_KEYS, List.copyOf(at(defs, "servicesPort", "properties").keySet()));
        assertEquals(ServicesSection.DHCP_KEYS, List.copyOf(at(defs, "servicesPort", "properties", "dhcp",
                "properties").keySet()));
        assertEquals(ServicesSection.DNS_KEYS, List.copyOf(at(defs, "servicesPort", "properties", "dns", "properties")
                .keySet()));
        assertEquals(ServicesSection.RESERVATION_KEYS, List.copyOf(at(defs, "dhcpReservation", "properties")
                .keySet()));
        Map<String, Object> lease = at(defs, "servicesPort", "properties", "dhcp", "properties", "leaseSeconds");
        assertEquals(List.of(ServicesSection.MIN_LEASE, ServicesSection.MAX_LEASE, ServicesSection.DEFAULT_LEASE),
                List.of(((Number) lease.get("minimum")).intValue(), ((Number) lease.get("maximum")).intValue(),
                        ((Number) lease.get("default")).intValue()));
        assertEquals(ServicesConfig.DEFAULT_DOMAIN, at(defs, "services", "properties", "domain").get("default"));
        assertEquals("^" + ServicesSection.DOMAIN.pattern() + "$", at(defs, "services", "properties", "domain")
                .get("pattern"));
        assertEquals("^" + ServicesSection.LABEL.pattern() + "$", at(defs, "hostLabel").get("pattern"));
        assertEquals(ServicesSection.TIME_KEYS, List.copyOf(at(defs, "services", "properties", "time", "properties")
                .keySet()));
        assertEquals(ServicesPlan.DEFAULT_NTP, at(defs, "services", "properties", "time", "properties", "servers")
                .get("default"));
        assertEquals("^" + ServicesSection.HOST.pattern() + "$", at(defs, "services", "properties", "time",
                "properties", "servers", "items").get("pattern"));
        assertEquals("^" + ServicesSection.MAC.pattern() + "$", at(defs, "dhcpReservation", "properties", "mac")
                .get("pattern"));
    }
}
