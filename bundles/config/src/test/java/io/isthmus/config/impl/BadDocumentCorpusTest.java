package io.isthmus.config.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.config.ApplyResult;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.SectionApplier;
import io.isthmus.api.config.ValidationError;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad network documents, one corpus, through the real config engine (parser, core rules, generation store): each
 * is rejected with a pointer and no applier is called — nothing reaches the kernel — and the engine still
 * validates and applies a good document afterwards. The appliers are recording stand-ins (the real ones need the
 * kernel; BadInputSystemIT sends a sample to a real gateway and compares its kernel state).
 */
class BadDocumentCorpusTest {
    static final String GOOD = Json.of("{'ports': {"
            + "'eth0': {'kind': 'ethernet', 'role': 'uplink', 'ipv4': {'method': 'dhcp'}},"
            + "'eth1': {'kind': 'ethernet', 'role': 'dmz', 'ipv4': {'method': 'static', "
            + "'address': '192.168.50.1/24'}},"
            + "'eth2': {'kind': 'ethernet', 'role': 'offline', 'ipv4': {'method': 'static', 'address': '10.20.0.1/24'}}},"
            + " 'dns': {'servers': ['203.0.113.53']}}");

    record Bad(String name, String json, String pointerPrefix) {
        static Bad of(String name, String json, String pointerPrefix) {
            return new Bad(name, json, pointerPrefix);
        }
    }

    static String eth1(String settings) {
        return GOOD.replace(Json.of("'eth1': {'kind': 'ethernet', 'role': 'dmz', 'ipv4': {'method': 'static', "
                + "'address': '192.168.50.1/24'}}"), Json.of("'eth1': " + settings));
    }

    static String withRoutes(String routes) {
        return GOOD.replace("\"dns\":", "\"routes\": " + routes + ", \"dns\":");
    }

    static List<Bad> corpus() {
        List<Bad> c = new ArrayList<>();
        for (int levels : new int[] {33, 600, 5000}) {
            c.add(Bad.of("nested " + levels + " objects", "{\"a\":".repeat(levels - 1) + "{}" + "}".repeat(levels - 1),
                    ""));
            c.add(Bad.of("routes nested " + levels + " arrays", withRoutes("[".repeat(levels) + "]".repeat(levels)),
                    ""));
        }
        c.add(Bad.of("a second firewall section", GOOD.replace("\"dns\":", "\"firewall\": {}, \"firewall\": "
                + "{\"portForwards\": [{\"from\": \"eth0\", \"protocol\": \"tcp\", \"port\": 22, \"toAddress\": "
                + "\"192.168.50.11\"}]}, \"dns\":"), ""));
        c.add(Bad.of("a port given twice", GOOD.replace("\"ports\": {", "\"ports\": {\"eth1\": {\"kind\": "
                + "\"ethernet\", \"role\": \"uplink\"}, "), ""));
        c.add(Bad.of("a key given twice deep inside", eth1("{'kind': 'ethernet', 'role': 'dmz', 'mtu': 1500, "
                + "'mtu': 9000}"), ""));
        c.add(Bad.of("empty", "", ""));
        c.add(Bad.of("white space", " \n", ""));
        c.add(Bad.of("null", "null", ""));
        c.add(Bad.of("an array", "[" + GOOD + "]", ""));
        c.add(Bad.of("trailing content", GOOD + " {}", ""));
        c.add(Bad.of("broken", GOOD.substring(0, GOOD.length() - 2), ""));
        c.add(Bad.of("a huge list of bad routes", withRoutes("[" + String.join(",", Collections.nCopies(20_000,
                "{\"destination\": \"x\"}")) + "]"), "/routes/"));
        c.add(Bad.of("a huge list of DNS servers, one bad", GOOD.replace("[\"203.0.113.53\"]", "["
                + String.join(",", Collections.nCopies(20_000, "\"203.0.113.53\"")) + ", \"1.2.3\"]"),
                "/dns/servers/20000"));
        c.add(Bad.of("a NUL in a port name", GOOD.replace("\"eth2\":", "\"eth\\u00002\":"), "/ports/"));
        c.add(Bad.of("an escape sequence in a port name", GOOD.replace("\"eth2\":", "\"\\u001b[2Jeth2\":"),
                "/ports/"));
        c.add(Bad.of("a 100,000-character port name", GOOD.replace("\"eth2\":", "\"" + "e".repeat(100_000) + "\":"),
                "")); // beyond the JSON reader's limit for a name: a syntax error
        c.add(Bad.of("a 300-character port name", GOOD.replace("\"eth2\":", "\"" + "e".repeat(300) + "\":"),
                "/ports/"));
        c.add(Bad.of("ports as a string", Json.of("{'ports': 'eth0'}"), "/ports"));
        c.add(Bad.of("an mtu as text", eth1("{'kind': 'ethernet', 'role': 'dmz', 'mtu': '1500'}"),
                "/ports/eth1/mtu"));
        c.add(Bad.of("a cost as a fraction", eth1("{'kind': 'ethernet', 'role': 'dmz', 'cost': 1.5}"),
                "/ports/eth1/cost"));
        c.add(Bad.of("a huge number", eth1("{'kind': 'ethernet', 'role': 'dmz', 'mtu': 1" + "0".repeat(500) + "}"),
                "/ports/eth1/mtu"));
        c.add(Bad.of("an address without prefix", eth1("{'kind': 'ethernet', 'role': 'dmz', 'ipv4': "
                + "{'method': 'static', 'address': '192.168.50.1'}}"), "/ports/eth1/ipv4"));
        c.add(Bad.of("an address with a control character", eth1("{'kind': 'ethernet', 'role': 'dmz', 'ipv4': "
                + "{'method': 'static', 'address': '192.168.50.1/24\\u0000'}}"), "/ports/eth1/ipv4"));
        c.add(Bad.of("an unknown section", GOOD.replace("\"dns\":", "\"gatway\": {}, \"dns\":"), "/gatway"));
        String odd = "{'kind': 'ethernet', 'role': 'dmz', 'ipv4': {'method': 'static', 'address': '%s'}}";
        c.add(Bad.of("a loopback address", eth1(odd.formatted("127.0.0.2/8")), "/ports/eth1"));
        c.add(Bad.of("the broadcast address", eth1(odd.formatted("255.255.255.255/24")), "/ports/eth1"));
        c.add(Bad.of("a multicast address", eth1(odd.formatted("224.0.0.1/24")), "/ports/eth1"));
        c.add(Bad.of("0.0.0.0", eth1(odd.formatted("0.0.0.0/24")), "/ports/eth1"));
        c.add(Bad.of("a network address as gateway", withRoutes(Json.of("[{'destination': '10.99.0.0/16', "
                + "'gateway': '192.168.50.0', 'interface': 'eth1'}]")), "/routes/0"));
        c.add(Bad.of("a broadcast address as gateway", withRoutes(Json.of("[{'destination': '10.99.0.0/16', "
                + "'gateway': '192.168.50.255', 'interface': 'eth1'}]")), "/routes/0"));
        c.add(Bad.of("half the internet through an offline port", withRoutes(Json.of("[{'destination': '0.0.0.0/1', "
                + "'gateway': '10.20.0.254', 'interface': 'eth2'}]")), "/routes/0"));
        return c;
    }

    @TempDir
    Path state;

    final List<String> applied = new CopyOnWriteArrayList<>();
    final List<ConfigEngine> engines = new ArrayList<>();

    @AfterEach
    void stop() {
        engines.forEach(ConfigEngine::close);
    }

    ConfigEngine engine() throws Exception {
        Whiteboard whiteboard = Readers.register(new Whiteboard());
        whiteboard.addApplier(new SectionApplier() {
            @Override
            public List<String> preview(NetworkDocument document) {
                return List.of();
            }

            @Override
            public void apply(NetworkDocument document) {
                applied.add(document.ports().keySet().toString());
            }
        }, Map.of(SectionApplier.NAME, "recording", "service.id", 1L, "component.name", "recording"));
        RecordingLog log = new RecordingLog();
        ConfigEngine engine = new ConfigEngine(GenerationStore.open(state, Clock.systemUTC(), log),
                DeviceProfile.empty(), whiteboard, Settings.DEFAULTS, log);
        engines.add(engine);
        return engine;
    }

    @Test
    void everyBadDocumentIsRejectedWithAPointerAndNoApplierRuns() throws Exception {
        ConfigEngine engine = engine();
        List<Bad> corpus = corpus();
        System.out.println("[BadDocumentCorpusTest] trying " + corpus.size() + " bad documents");
        for (Bad bad : corpus) {
            List<ValidationError> errors = engine.validate(bad.json());
            assertFalse(errors.isEmpty(), bad.name() + " was accepted");
            assertTrue(errors.stream().anyMatch(e -> e.pointer().startsWith(bad.pointerPrefix())),
                    bad.name() + ": " + errors);
            assertTrue(errors.stream().allMatch(e -> e.message().length() < 2000), bad.name() + ": a message of "
                    + errors.stream().mapToInt(e -> e.message().length()).max().orElse(0) + " characters");
            ApplyResult result = engine.apply(bad.json(), "test:" + bad.name());
            assertInstanceOf(ApplyResult.Rejected.class, result, bad.name());
            assertEquals(List.of(), applied, bad.name() + " reached an applier");
        }
        assertEquals(List.of(), engine.validate(GOOD), "the good document, after the corpus");
        assertInstanceOf(ApplyResult.Committed.class, engine.apply(GOOD, "test:good"));
        assertEquals(1, applied.size(), "the good document was applied, once");
    }
}
