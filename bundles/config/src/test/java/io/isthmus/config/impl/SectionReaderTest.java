package io.isthmus.config.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.config.ApplyResult.Committed;
import io.isthmus.api.config.FirewallConfig;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.config.PortKindReader;
import io.isthmus.api.config.SectionApplier;
import io.isthmus.api.config.SectionContext;
import io.isthmus.api.config.SectionReader;
import io.isthmus.api.config.ValidationError;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortRole;
import io.isthmus.firewall.FirewallReader;
import io.isthmus.net.ethernet.EthernetKindReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The section whiteboard: a section is read by the reader its capability registers, and only while it is
 * registered; readers that need each other's sections run in order, and one that cannot run says why at its section.
 */
class SectionReaderTest {
    private static final String FIREWALL = "{\"ports\": {\"eth1\": {\"kind\": \"ethernet\", \"role\": \"lan\"}},"
            + " \"firewall\": {\"zones\": {\"office\": {\"ports\": [\"eth1\"]}}}}";

    @TempDir
    Path state;

    private final RecordingLog log = new RecordingLog();
    private final List<ConfigEngine> engines = new ArrayList<>();

    @AfterEach
    void stop() {
        engines.forEach(ConfigEngine::close);
    }

    private ConfigEngine engine(Whiteboard whiteboard) throws IOException {
        ConfigEngine engine = new ConfigEngine(GenerationStore.open(state, Clock.systemUTC(), log),
                DeviceProfile.empty(), whiteboard, Settings.DEFAULTS, log);
        engines.add(engine);
        return engine;
    }

    /** Reads its section as "tag:" + the section's text value, or "tag:absent". */
    private record Tagging(String tag) implements SectionReader<String> {
        @Override
        public String read(Optional<JsonValue> section, SectionContext context) {
            return tag + ":" + section.flatMap(context.in()::string).orElse("absent");
        }
    }

    private static Map<String, Object> section(String name, String... after) {
        return Map.of(SectionReader.SECTION, name, SectionReader.AFTER, after, "component.name", "reader-" + name);
    }

    @Test
    void aSectionWhoseBundleIsAbsentIsRefusedWithItsPointer() {
        Validated result = new DocumentParser(DeviceProfile.empty(), Readers.without("firewall", "multicast")).parse(FIREWALL, Set.of());

        assertEquals(List.of(new ValidationError("/firewall", "unknown section \"firewall\"; expected one of ports, "
                + "routes, uplink, dns, management")), result.errors());
        assertTrue(result.document().isEmpty());
    }

    @Test
    void aReaderAppearingAndDisappearingChangesWhatIsAccepted() throws Exception {
        Whiteboard whiteboard = new Whiteboard();
        whiteboard.addKindReader(new EthernetKindReader(), Map.of(PortKindReader.KIND, "ethernet"));
        ConfigEngine engine = engine(whiteboard);
        FirewallReader firewall = new FirewallReader();

        assertEquals(List.of("/firewall"), pointers(engine.validate(FIREWALL)));
        whiteboard.addReader(firewall, section("firewall"));
        assertEquals(List.of(), engine.validate(FIREWALL));
        assertTrue(engine.apply(FIREWALL, "test") instanceof Committed);
        assertEquals(List.of("eth1"), engine.currentDocument().orElseThrow().firewall().zones().get("office").ports());
        whiteboard.removeReader(firewall);
        assertEquals(List.of("/firewall"), pointers(engine.validate(FIREWALL)));
    }

    /**
     * The config bundle or the DS runtime restarted under a running framework: the config service boots before the
     * capabilities' readers are back. Its boot waits for them instead of finding the generation in force unreadable
     * (the management section unread: the agent never came back).
     */
    @Test
    void aBootUnderARunningFrameworkWaitsForTheReadersOfTheDocumentInForce() throws Exception {
        Whiteboard before = new Whiteboard();
        before.addKindReader(new EthernetKindReader(), Map.of(PortKindReader.KIND, "ethernet"));
        before.addReader(new FirewallReader(), section("firewall"));
        assertTrue(engine(before).apply(FIREWALL, "test") instanceof Committed);
        engines.forEach(ConfigEngine::close);

        Whiteboard after = new Whiteboard();
        after.addKindReader(new EthernetKindReader(), Map.of(PortKindReader.KIND, "ethernet"));
        ConfigEngine restarted = engine(after);
        restarted.boot(new BootFiles(Optional.empty(), Optional.empty()), true);
        CompletableFuture<io.isthmus.api.config.ApplyResult> boot = restarted.bootApplied().toCompletableFuture();
        // the boot's first try is done once a dry run, queued on the config thread after it, is
        restarted.preview("{}");
        assertTrue(!boot.isDone(), "boot must wait for the firewall's reader, not give up: " + boot);

        after.addReader(new FirewallReader(), section("firewall"));
        restarted.readersChanged();
        assertTrue(boot.get(10, TimeUnit.SECONDS) instanceof Committed,
                () -> "applied once the reader is back: " + boot.join());
        assertEquals(List.of("eth1"), restarted.currentDocument().orElseThrow().firewall().zones().get("office")
                .ports());
    }

    @Test
    void aReaderSeesTheSectionsItReadsAfterAndTheDocumentKeepsEachValueByName() {
        Whiteboard whiteboard = new Whiteboard();
        // Registered first, read second: it reads after "base".
        whiteboard.addReader((SectionReader<String>) (s, context) -> "sees " + context.section("base", String.class)
                .orElse("nothing") + ", not " + context.section("other", String.class).orElse("other"),
                section("derived", "base"));
        whiteboard.addReader(new Tagging("base"), section("base"));
        whiteboard.addReader(new Tagging("other"), section("other"));

        NetworkDocument document = new DocumentParser(DeviceProfile.empty(), whiteboard.readers())
                .parse("{\"base\": \"b\"}", Set.of()).document().orElseThrow();

        assertEquals(Optional.of("sees base:b, not other"), document.section("derived", String.class));
        assertEquals(Optional.of("other:absent"), document.section("other", String.class));
        assertEquals(Optional.empty(), document.section("base", Integer.class));
        assertEquals(FirewallConfig.empty(), document.firewall());
    }

    @Test
    void aReaderWhoseSectionItNeedsIsMissingRefusesItsSectionSayingWhy() {
        DocumentParser parser = new DocumentParser(DeviceProfile.empty(), Readers.without("firewall"));

        assertEquals(List.of(new ValidationError("/multicast", "section \"multicast\" cannot be read: it is read after "
                + "section \"firewall\", which no installed capability reads")),
                parser.parse("{\"multicast\": {}}", Set.of()).errors());
        // A document without the section does not depend on it.
        assertEquals(List.of(), parser.parse("{\"uplink\": {}}", Set.of()).errors());
    }

    @Test
    void readersThatWaitForEachOtherAreACycleNamedAtTheSection() {
        Whiteboard whiteboard = new Whiteboard();
        whiteboard.addReader(new Tagging("a"), section("a", "b"));
        whiteboard.addReader(new Tagging("b"), section("b", "a"));

        List<ValidationError> errors = new DocumentParser(DeviceProfile.empty(), whiteboard.readers())
                .parse("{\"a\": \"x\"}", Set.of()).errors();

        assertEquals(List.of(new ValidationError("/a", "section \"a\" cannot be read: the readers of sections "
                + "a -> b -> a each read after the next")), errors);
    }

    @Test
    void aThrowingReaderIsAnErrorAtItsSectionNamingIt() {
        Whiteboard whiteboard = new Whiteboard();
        whiteboard.addReader((SectionReader<String>) (s, c) -> {
            throw new IllegalStateException("index out of date");
        }, section("quota"));

        List<ValidationError> errors = new DocumentParser(DeviceProfile.empty(), whiteboard.readers())
                .parse("{\"quota\": 1}", Set.of()).errors();

        assertEquals(List.of(new ValidationError("/quota", "reader reader-quota of section \"quota\" failed: "
                + "IllegalStateException: index out of date")), errors);
    }

    @Test
    void anApplierAdoptingAfterItsReaderWasReplacedGetsTheDocumentReadAgain() throws Exception {
        Whiteboard whiteboard = new Whiteboard();
        Tagging v1 = new Tagging("v1");
        whiteboard.addReader(v1, section("demo"));
        ConfigEngine engine = engine(whiteboard);
        assertTrue(engine.apply("{\"demo\": \"x\"}", "test") instanceof Committed);

        // A bundle update: the old reader goes, the new one comes, then the new applier.
        whiteboard.removeReader(v1);
        whiteboard.addReader(new Tagging("v2"), section("demo"));
        CompletableFuture<NetworkDocument> handed = new CompletableFuture<>();
        SectionApplier applier = handed::complete;
        engine.adopt(whiteboard.addApplier(applier, Map.of("component.name", "demo")));

        assertEquals(Optional.of("v2:x"), handed.get(10, TimeUnit.SECONDS).section("demo", String.class));
        assertEquals(Optional.of("v2:x"), engine.currentDocument().orElseThrow().section("demo", String.class));
    }

    /** A driver's kind as a test declares it; its settings read as "read by the <kind> driver: <apn>". */
    private record Kind(String id, int defaultCost, boolean hasSettings) implements PortKindReader {
        @Override
        public Optional<Object> read(JsonValue at, JsonReader in) {
            return in.object(at).map(o -> "read by the " + id + " driver: " + o.get("apn").map(JsonValue::string)
                    .orElse("?"));
        }
    }

    @Test
    void aDriverBundleAddsAPortKindWhileItRuns() throws Exception {
        Whiteboard whiteboard = Readers.register(new Whiteboard());
        ConfigEngine engine = engine(whiteboard);
        String lte = "{\"ports\": {\"wwan1\": {\"kind\": \"lte2\", \"role\": \"uplink\", \"lte2\": {\"apn\": \"m2m\"}}}}";
        Kind lte2 = new Kind("lte2", 50, true);

        assertEquals(List.of(new ValidationError("/ports/wwan1/kind", "unknown port kind \"lte2\"; expected one of "
                + "ethernet, wifi, cellular"), new ValidationError("/ports/wwan1/lte2", "unknown key \"lte2\"; expected "
                        + "one of kind, role, cost, ipv4, mtu, mac, dns, wifi, cellular")), engine.validate(lte));
        whiteboard.addKindReader(lte2, Map.of(PortKindReader.KIND, "lte2"));
        assertEquals(List.of(), engine.validate(lte));
        assertTrue(engine.apply(lte, "test") instanceof Committed);
        PortConfig port = engine.currentDocument().orElseThrow().ports().get("wwan1");
        assertEquals(new PortKind("lte2"), port.kind());
        assertEquals(50, port.cost());
        assertEquals("read by the lte2 driver: m2m", port.driver().get("lte2"));
        // Listed where a kind is expected, cheapest first; a port carries only its own kind's settings.
        assertEquals(List.of(new ValidationError("/ports/eth0/kind", "unknown port kind \"token-ring\"; expected one "
                + "of ethernet, wifi, lte2, cellular")), engine.validate("{\"ports\": {\"eth0\": {\"kind\": "
                        + "\"token-ring\", \"role\": \"lan\"}}}"));
        assertEquals(List.of("/ports/eth0/lte2"), pointers(engine.validate("{\"ports\": {\"eth0\": {\"kind\": "
                + "\"ethernet\", \"role\": \"lan\", \"lte2\": {}}}}")));
        whiteboard.removeKindReader(lte2);
        assertEquals(List.of("/ports/wwan1/kind", "/ports/wwan1/lte2"), pointers(engine.validate(lte)));
    }

    @Test
    void aProfilesKindThatNoDriverInstallsIsAnErrorAtThePort() {
        DeviceProfile profile = new DeviceProfile(Map.of("wwan1", new DeviceProfile.PortDefaults(Optional.of(
                new PortKind("lte2")), Optional.of(PortRole.UPLINK), Optional.empty())));

        assertEquals(List.of(new ValidationError("/ports/wwan1", "the device profile's port kind \"lte2\" for this "
                + "port is not installed; expected one of ethernet, wifi, cellular")), new DocumentParser(profile,
                        Readers.all()).parse("{\"ports\": {\"wwan1\": {}}}", Set.of()).errors());
    }

    private static List<String> pointers(List<ValidationError> errors) {
        return errors.stream().map(ValidationError::pointer).toList();
    }
}
