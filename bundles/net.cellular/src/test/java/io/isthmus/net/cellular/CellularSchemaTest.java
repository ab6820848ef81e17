package io.isthmus.net.cellular;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The JSON Schema's cellular object names exactly the settings and values this bundle accepts. */
class CellularSchemaTest {

    static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static Set<String> texts(JsonNode array) {
        Set<String> texts = new TreeSet<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    @Test
    void schemaNamesTheSettingsTheirValuesAndDefaults() throws Exception {
        JsonNode defs = new ObjectMapper().readTree(Path.of("../../docs/reference/network-document.schema.json")
                .toFile()).path("$defs");
        assertEquals("#/$defs/cellular", defs.at("/port/properties/cellular/$ref").asText());
        assertEquals(new TreeSet<>(CellularSettings.KEYS), names(defs.at("/cellular/properties")));
        assertEquals(new TreeSet<>(CellularSettings.RECOVERY_KEYS), names(defs.at(
                "/cellular/properties/recovery/properties")));
        assertEquals(new TreeSet<>(Arrays.stream(CellularSettings.Auth.values()).map(a -> a.name()
                .toLowerCase(Locale.ROOT)).toList()), texts(defs.at("/cellular/properties/auth/enum")));
        assertEquals(new TreeSet<>(Arrays.stream(CellularSettings.IpType.values()).map(a -> a.name()
                .toLowerCase(Locale.ROOT)).toList()), texts(defs.at("/cellular/properties/ipType/enum")));
        JsonNode recovery = defs.at("/cellular/properties/recovery/properties");
        CellularSettings.Recovery d = CellularSettings.Recovery.DEFAULT;
        assertEquals(d.reconnectMin().toMillis(), recovery.at("/reconnectMinMs/default").asLong());
        assertEquals(d.reconnectMax().toMillis(), recovery.at("/reconnectMaxMs/default").asLong());
        assertEquals(d.resetAfterFailures(), recovery.at("/resetAfterFailures/default").asInt());
        assertEquals(d.minResetInterval().toSeconds(), recovery.at("/minResetIntervalS/default").asLong());
    }
}
