package io.isthmus.net.wifi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON Schema's wifi and eap objects name exactly the settings and values this bundle accepts. */
class WifiSchemaTest {
    static JsonNode defs() throws IOException {
        return new ObjectMapper().readTree(Path.of("../../docs/reference/network-document.schema.json").toFile())
                .path("$defs");
    }

    static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    @Test
    void schemaNamesTheSettingsAndTheirValues() throws IOException {
        JsonNode defs = defs();
        assertEquals("#/$defs/wifi", defs.at("/port/properties/wifi/$ref").asText());
        assertEquals(WifiSettings.KEYS, names(defs.at("/wifi/properties")));
        assertEquals(EapSettings.KEYS, names(defs.at("/eap/properties")));
        assertEquals(Arrays.stream(WifiSettings.Security.values()).map(s -> s.id).toList(),
                texts(defs.at("/wifi/properties/security/enum")));
        assertEquals(Arrays.stream(WifiSettings.Band.values()).map(b -> b.id).toList(),
                texts(defs.at("/wifi/properties/band/enum")));
        assertEquals(Arrays.stream(EapSettings.Method.values()).map(m -> m.id).toList(),
                texts(defs.at("/eap/properties/method/enum")));
        assertEquals(EapSettings.PHASE2, texts(defs.at("/eap/properties/phase2/enum")));
    }
}
