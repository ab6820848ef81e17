package io.isthmus.config.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isthmus.api.config.ManagementConfig;
import io.isthmus.api.config.UplinkConfig.Probe;
import io.isthmus.api.net.PortRole;
import io.isthmus.firewall.FirewallSection;
import io.isthmus.mgmt.ManagementSection;
import io.isthmus.multicast.MulticastSection;
import io.isthmus.uplink.UplinkSection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The published schema and the user's reference must say what the parser does; these tests keep them together. */
class SchemaAndDocsTest {
    private static final Path DOCS = Path.of("../../docs");
    private static final String NOT_A_DOCUMENT = "<!-- not a network document -->";

    private static JsonNode schema() throws IOException {
        return new ObjectMapper().readTree(DOCS.resolve("reference/network-document.schema.json").toFile());
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void theSchemaIsDraft202012AndNamesExactlyTheParsersSections() throws IOException {
        JsonNode schema = schema();

        assertEquals("https://json-schema.org/draft/2020-12/schema", schema.path("$schema").asText());
        assertEquals(DocumentParser.SECTIONS, names(schema.path("properties")));
    }

    @Test
    void theSchemaNamesExactlyTheKeysTheParserAccepts() throws IOException {
        JsonNode schema = schema();
        JsonNode defs = schema.path("$defs");

        assertEquals(PortsSection.keys(Readers.all().kinds()), names(defs.at("/port/properties")));
        assertEquals(PortsSection.STATIC_KEYS, names(defs.at("/ipv4Config/oneOf/2/properties")));
        assertEquals(RoutesSection.KEYS, names(defs.at("/route/properties")));
        assertEquals(UplinkSection.PROBE_KEYS, names(defs.at("/probe/properties")));
        assertEquals(UplinkSection.KEYS, names(schema.at("/properties/uplink/properties")));
        assertEquals(UplinkSection.COSTLY_KEYS, names(defs.at("/costly/properties")));
        assertEquals(UplinkSection.CAP_KEYS, names(defs.at("/dataCap/properties")));
        assertEquals(FirewallSection.KEYS, names(schema.at("/properties/firewall/properties")));
        assertEquals(FirewallSection.CONDUIT_KEYS, names(defs.at("/conduit/properties")));
        assertEquals(FirewallSection.FORWARD_KEYS, names(defs.at("/portForward/properties")));
        assertEquals(MulticastSection.FLOW_KEYS, names(defs.at("/passThrough/properties")));
        assertEquals(ManagementSection.KEYS, names(schema.at("/properties/management/properties")));
        assertEquals(ManagementSection.TLS_KEYS, names(schema.at("/properties/management/properties/tls/properties")));
        assertEquals(ManagementSection.COMMANDS_KEYS, names(schema.at(
                "/properties/management/properties/commands/properties")));
        assertEquals(ManagementSection.PROXY_KEYS, names(schema.at(
                "/properties/management/properties/proxy/properties")));
        assertEquals(ManagementSection.NO_PROXY.pattern(), schema.at("/properties/management/properties/proxy"
                + "/properties/noProxy/items/pattern").asText().replaceAll("^\\^\\(|\\)\\$$", ""));
        assertEquals(ManagementConfig.CommandPolicy.PATTERN.pattern(), schema.at("/$defs/commandPattern/pattern")
                .asText().replaceAll("^\\^\\(|\\)\\$$", ""));
    }

    @Test
    void theSchemasEnumsAndDefaultsAreTheParsers() throws IOException {
        JsonNode defs = schema().path("$defs");
        Probe defaults = Probe.defaults();

        assertEquals(PortsSection.kinds(Readers.all().kinds()),
                texts(defs.at("/port/properties/kind/enum")));
        assertEquals(Arrays.stream(PortRole.values()).map(PortRole::id).toList(),
                texts(defs.at("/port/properties/role/enum")));
        assertEquals(List.of(defaults.intervalMs(), defaults.timeoutMs(), defaults.downAfter(), defaults.upAfter()),
                List.of(defs.at("/probe/properties/intervalMs/default").asInt(),
                        defs.at("/probe/properties/timeoutMs/default").asInt(),
                        defs.at("/probe/properties/downAfter/default").asInt(),
                        defs.at("/probe/properties/upAfter/default").asInt()));
        assertEquals(RoutesSection.DEFAULT_METRIC, defs.at("/route/properties/metric/default").asInt());
    }

    @Test
    void everyExampleDocumentInTheReferenceIsValid() throws IOException {
        List<String> examples = jsonBlocks(Files.readString(DOCS.resolve("configuration.md")));
        DocumentParser parser = Readers.parser(DeviceProfile.empty());

        assertFalse(examples.isEmpty());
        for (String example : examples) {
            assertEquals(List.of(), parser.parse(example, Set.of()).errors(), example);
        }
    }

    /** The ```json blocks, except those marked as not being a network document. */
    private static List<String> jsonBlocks(String markdown) {
        Matcher block = Pattern.compile("(?m)^([^\\n]*)\\R```json\\R(.*?)^```", Pattern.DOTALL).matcher(markdown);
        List<String> blocks = new ArrayList<>();
        while (block.find()) {
            if (!block.group(1).trim().equals(NOT_A_DOCUMENT)) {
                blocks.add(block.group(2));
            }
        }
        return blocks;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }
}
