package io.isthmus.config.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.isthmus.api.config.DnsConfig;
import io.isthmus.api.config.FirewallConfig;
import io.isthmus.api.config.Ipv4Config;
import io.isthmus.api.config.ManagementConfig;
import io.isthmus.api.config.MulticastConfig;
import io.isthmus.api.config.MulticastConfig.PassThrough;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.config.RouteConfig;
import io.isthmus.api.config.UplinkConfig;
import io.isthmus.api.config.ValidationError;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortRole;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DocumentParserTest {
    /** An uplink, a DMZ and an offline port: the shape of most gateways, valid on its own. */
    private static final String PORTS = "'ports': {"
            + "'eth0': {'kind': 'ethernet', 'role': 'uplink', 'ipv4': {'method': 'dhcp'}},"
            + "'eth1': {'kind': 'ethernet', 'role': 'dmz', 'ipv4': {'method': 'static', 'address': '192.168.50.1/24'}},"
            + "'eth2': {'kind': 'ethernet', 'role': 'offline', 'ipv4': {'method': 'static', 'address': '10.20.0.1/24'}}}";

    private final DocumentParser parser = Readers.parser(DeviceProfile.empty());

    private static String withPorts(String sections) {
        return Json.of("{" + PORTS + (sections.isEmpty() ? "" : ", " + sections) + "}");
    }

    /** A document with one port, {@code settings} being the inside of its object. */
    private static String port(String name, String settings) {
        return Json.of("{'ports': {'" + name + "': {" + settings + "}}}");
    }

    private Validated parse(String json) {
        return parser.parse(json, Set.of());
    }

    private NetworkDocument valid(String json) {
        Validated result = parse(json);
        assertEquals(List.of(), result.errors());
        return result.document().orElseThrow();
    }

    private static Ipv4Cidr cidr(String text) {
        return Ipv4Cidr.parse(text).orElseThrow();
    }

    private static Ipv4Address ip(String text) {
        return Ipv4Address.parse(text).orElseThrow();
    }

    @Test
    void theDesignExampleYieldsTheRecordsItDescribes() {
        NetworkDocument doc = valid(Json.resource("example-document.json"));

        assertEquals(List.of("eth0", "wwan0", "eth1", "eth2"), List.copyOf(doc.ports().keySet()));
        assertEquals(new PortConfig(PortKind.ETHERNET, PortRole.UPLINK, 0, new Ipv4Config.Dhcp(), Optional.empty(),
                Optional.empty(), List.of(), Map.of()), doc.ports().get("eth0"));
        assertEquals(new PortConfig(PortKind.CELLULAR, PortRole.UPLINK, 100, new Ipv4Config.Dhcp(), Optional.empty(),
                Optional.empty(), List.of(), Map.of("cellular", Map.of("apn", "internet"))), doc.ports().get("wwan0"));
        assertEquals(new Ipv4Config.Static(cidr("192.168.50.1/24"), Optional.empty()), doc.ports().get("eth1").ipv4());
        assertEquals(PortRole.DMZ, doc.ports().get("eth1").role());
        assertEquals(Readers.all().kinds().get("ethernet").defaultCost(), doc.ports().get("eth1").cost());
        assertEquals(new Ipv4Config.Static(cidr("10.20.0.1/24"), Optional.empty()), doc.ports().get("eth2").ipv4());
        assertEquals(List.of(new RouteConfig(cidr("192.168.20.0/24"), Optional.of(ip("192.168.50.254")),
                Optional.of("eth1"), 100)), doc.routes());
        assertEquals(new UplinkConfig(new UplinkConfig.Probe(List.of("198.51.100.1", "broker.example.com"), 500, 400,
                3, 5)), doc.uplink());
        assertEquals(FirewallConfig.empty(), doc.firewall());
        assertEquals(new MulticastConfig(List.of(new PassThrough("224.0.2.14", 4840, "eth2", List.of("eth1")))),
                doc.multicast());
        assertEquals(DnsConfig.empty(), doc.dns());
        assertEquals(new ManagementConfig(List.of("ssl://broker.example.com:8883"), Optional.of("gw-0001")),
                doc.management());
        assertEquals(Map.of(), doc.extensions());
    }

    @Test
    void managementReadsLoginKeepAliveAndTls() {
        NetworkDocument doc = valid(Json.of("{'management': {'brokers': ['ssl://b.example.com:8883'], "
                + "'deviceId': 'gw-7', 'mqttVersion': '3.1.1', 'username': 'gw-7', "
                + "'passwordFile': '/etc/isthmus/mqtt.pass', 'keepAliveSeconds': 15, 'tls': {'caFile': "
                + "'/etc/isthmus/ca.pem', 'certFile': '/etc/isthmus/gw.pem', 'keyFile': '/etc/isthmus/gw.key'}}}"));

        assertEquals(new ManagementConfig(List.of("ssl://b.example.com:8883"), Optional.of("gw-7"), "3.1.1",
                Optional.of("gw-7"), Optional.empty(), Optional.of("/etc/isthmus/mqtt.pass"), 15,
                new ManagementConfig.Tls(Optional.of("/etc/isthmus/ca.pem"), Optional.of("/etc/isthmus/gw.pem"),
                        Optional.of("/etc/isthmus/gw.key"))), doc.management());
    }

    @Test
    void managementReadsTheProxy() {
        NetworkDocument doc = valid(Json.of("{'management': {'brokers': ['ssl://b.example.com:8883'], "
                + "'proxy': {'url': 'http://proxy.plant.example:3128', 'credentialsFile': '/etc/isthmus/proxy', "
                + "'noProxy': ['.plant.example', '10.0.0.0/8', '192.168.1.5']}}}"));

        ManagementConfig.Proxy proxy = doc.management().proxy().orElseThrow();
        assertEquals(new ManagementConfig.Proxy("proxy.plant.example", 3128, Optional.of("/etc/isthmus/proxy"),
                List.of(".plant.example", "10.0.0.0/8", "192.168.1.5")), proxy);
        assertTrue(proxy.appliesTo("b.example.com"));
        assertFalse(proxy.appliesTo("broker.plant.example"), "a leading dot: the domain and its subdomains");
        assertFalse(proxy.appliesTo("plant.example"));
        assertTrue(proxy.appliesTo("otherplant.example"), "a suffix only on a dot boundary");
        assertFalse(proxy.appliesTo("10.200.3.4"));
        assertTrue(proxy.appliesTo("11.0.0.1"));
        assertFalse(proxy.appliesTo("192.168.1.5"));
        assertEquals(Optional.empty(), valid(Json.of("{'management': {'brokers': ['ssl://b:8883']}}")).management()
                .proxy());
    }

    @Test
    void theEnvironmentsProxyIsReadAsCurlReadsIt() {
        assertEquals(Optional.of(new ManagementConfig.Proxy("proxy", 3128, Optional.empty(), List.of("localhost",
                ".corp"))), ManagementConfig.Proxy.fromEnvironment(java.util.Map.of("https_proxy",
                        "http://proxy:3128/", "HTTPS_PROXY", "http://other:1", "no_proxy", "localhost, .corp,")));
        assertEquals(Optional.of(new ManagementConfig.Proxy("p", 1080, Optional.empty(), List.of())),
                ManagementConfig.Proxy.fromEnvironment(java.util.Map.of("HTTPS_PROXY", "p")));
        assertEquals(Optional.empty(), ManagementConfig.Proxy.fromEnvironment(java.util.Map.of("http_proxy",
                "http://p:1")), "http_proxy is for plain HTTP: management is TLS");
        assertFalse(ManagementConfig.Proxy.fromEnvironment(java.util.Map.of("https_proxy", "p:1", "no_proxy", "*"))
                .orElseThrow().appliesTo("anything"));
    }

    @Test
    void managementReadsTheCommandPolicy() {
        NetworkDocument doc = valid(Json.of("{'management': {'brokers': ['ssl://b.example.com:8883'], "
                + "'commands': {'allow': ['status', 'config.get', 'diag.*'], 'deny': ['diag.events']}}}"));

        ManagementConfig.CommandPolicy policy = doc.management().commands();
        assertEquals(new ManagementConfig.CommandPolicy(List.of("status", "config.get", "diag.*"),
                List.of("diag.events")), policy);
        assertTrue(policy.allows("status"));
        assertTrue(policy.allows("diag.ping"));
        assertFalse(policy.allows("diag.events"), "deny wins over allow");
        assertFalse(policy.allows("config.put"));
        assertFalse(policy.allows("diag"), "a family is the commands under it, not the bare name");
        assertEquals(ManagementConfig.CommandPolicy.ALL, valid(Json.of("{'management': {'commands': {}}}"))
                .management().commands());
        assertTrue(ManagementConfig.CommandPolicy.ALL.allows("bundle.stop"));
    }

    @Test
    void uplinkReadsQuorumCostRulesAndDataCaps() {
        NetworkDocument doc = valid(Json.of("{'uplink': {'probe': {'targets': ['203.0.113.10', "
                + "'tcp:203.0.113.10:1883'], 'quorum': 2}, 'equalCost': 'failover', 'minDwellMs': 20000, "
                + "'costly': {'above': 40, 'intervalMs': 60000, 'payloadBytes': 8}, "
                + "'dataCaps': {'wwan0': {'bytes': 5000000000, 'resetDay': 15}}, 'weights': {'eth0': 3}}}"));

        assertEquals(new UplinkConfig(new UplinkConfig.Probe(List.of("203.0.113.10", "tcp:203.0.113.10:1883"), 500,
                400, 3, 5, 2), UplinkConfig.EqualCost.FAILOVER, 20000, new UplinkConfig.Costly(40, 60000, 8),
                Map.of("wwan0", new UplinkConfig.DataCap(5_000_000_000L, 15)), Map.of("eth0", 3)), doc.uplink());
        assertEquals(1, doc.uplink().weightOf("wwan0"), "a port without a weight counts once");
        assertEquals(new UplinkConfig(UplinkConfig.Probe.defaults()), valid("{\"uplink\": {}}")
                .uplink(), "every cost rule has a default");
    }

    @Test
    void uplinkReadsWhichUplinksCarryManagementAndData() {
        UplinkConfig u = valid(Json.of("{'uplink': {'management': ['wwan0', 'eth0'], 'data': ['eth0']}}")).uplink();

        assertEquals(Optional.of(List.of("wwan0", "eth0")), u.management());
        assertEquals(Optional.of(List.of("eth0")), u.data());
        assertFalse(u.mayCarryData("wwan0"));
        assertTrue(u.splitsPaths(List.of("eth0", "wwan0")));
        assertEquals(Optional.empty(), valid("{\"uplink\": {}}").uplink().management(), "absent: every uplink");
    }

    @Test
    void anEmptyDocumentMeansEveryDefault() {
        NetworkDocument doc = valid("{}");

        assertEquals(new NetworkDocument(Map.of(), List.of(), UplinkConfig.defaults(), FirewallConfig.empty(),
                MulticastConfig.empty(), DnsConfig.empty(), ManagementConfig.empty(), Map.of()), doc);
    }

    @Test
    void aPortWithoutIpv4IsDhcpOnAnUplinkAndDisabledElsewhere() {
        NetworkDocument doc = valid(Json.of("{'ports': {'eth0': {'kind': 'ethernet', 'role': 'uplink'},"
                + "'eth1': {'kind': 'ethernet', 'role': 'lan'}}}"));

        assertEquals(new Ipv4Config.Dhcp(), doc.ports().get("eth0").ipv4());
        assertEquals(new Ipv4Config.Disabled(), doc.ports().get("eth1").ipv4());
    }

    @Test
    void optionalPortSettingsAreRead() {
        NetworkDocument doc = valid(Json.of("{'ports': {'wlan0': {'kind': 'wifi', 'role': 'uplink', 'cost': 20,"
                + "'ipv4': {'method': 'static', 'address': '172.16.0.10/16', 'gateway': '172.16.0.1'},"
                + "'mtu': 1400, 'mac': '02:AB:00:00:00:01', 'dns': ['9.9.9.9'], 'wifi': {'ssid': 'plant', 'psk': 'x'}},"
                + "'eth3': {'kind': 'ethernet', 'role': 'mgmt', 'ipv4': {'method': 'none'}}}}"));

        PortConfig wlan = doc.ports().get("wlan0");
        assertEquals(new PortConfig(PortKind.WIFI, PortRole.UPLINK, 20, new Ipv4Config.Static(cidr("172.16.0.10/16"),
                Optional.of(ip("172.16.0.1"))), Optional.of(1400), Optional.of("02:ab:00:00:00:01"), List.of("9.9.9.9"),
                Map.of("wifi", Map.of("ssid", "plant", "psk", "x"))), wlan);
        assertEquals(new Ipv4Config.Disabled(), doc.ports().get("eth3").ipv4());
    }

    @Test
    void theDeviceProfileFillsInKindRoleAndCost() {
        DeviceProfile profile = new DeviceProfile(Map.of(
                "eth0", new DeviceProfile.PortDefaults(Optional.of(PortKind.ETHERNET), Optional.of(PortRole.UPLINK),
                        Optional.of(5)),
                "wwan0", new DeviceProfile.PortDefaults(Optional.of(PortKind.CELLULAR), Optional.of(PortRole.UPLINK),
                        Optional.empty())));
        Validated result = Readers.parser(profile).parse(Json.of("{'ports': {'eth0': {}, 'wwan0': {},"
                + "'eth9': {'kind': 'ethernet', 'role': 'lan'}, 'lab0': {'role': 'lan'}}}"), Set.of());

        // lab0 is in neither the profile nor the document's kind: that is the one error.
        assertEquals(List.of(new ValidationError("/ports/lab0", "missing \"kind\": the device profile has no port kind "
                + "for this port; expected one of ethernet, wifi, cellular")), result.errors());
        Validated valid = Readers.parser(profile).parse(Json.of("{'ports': {'eth0': {}, 'wwan0': {},"
                + "'eth9': {'kind': 'ethernet', 'role': 'lan'}}}"), Set.of());
        NetworkDocument doc = valid.document().orElseThrow();
        assertEquals(new PortConfig(PortKind.ETHERNET, PortRole.UPLINK, 5, new Ipv4Config.Dhcp(), Optional.empty(),
                Optional.empty(), List.of(), Map.of()), doc.ports().get("eth0"));
        assertEquals(Readers.all().kinds().get("cellular").defaultCost(), doc.ports().get("wwan0").cost());
        assertEquals(PortRole.LAN, doc.ports().get("eth9").role());
    }

    @Test
    void aDocumentMayOverrideTheProfilesKind() {
        DeviceProfile profile = new DeviceProfile(Map.of("wwan0", new DeviceProfile.PortDefaults(
                Optional.of(PortKind.CELLULAR), Optional.of(PortRole.UPLINK), Optional.of(100))));

        NetworkDocument doc = Readers.parser(profile).parse(Json.of("{'ports': {'wwan0': {'kind': 'ethernet'}}}"),
                Set.of()).document().orElseThrow();

        assertEquals(PortKind.ETHERNET, doc.ports().get("wwan0").kind());
        assertEquals(100, doc.ports().get("wwan0").cost());
    }

    @Test
    void aFullFirewallIsRead() {
        NetworkDocument doc = valid(withPorts("'firewall': {"
                + "'zones': {'ot': {'ports': ['eth2']}, 'office': {'ports': ['eth1']}},"
                + "'conduits': [{'from': 'office', 'to': 'ot', 'protocol': 'tcp', 'ports': ['4840', '8000-8100', 502],"
                + "  'sources': ['192.168.50.0/24']}, {'from': 'lan', 'to': 'gateway', 'protocol': 'icmp',"
                + "  'rateLimit': {'rate': 6, 'per': 'minute'}}],"
                + "'portForwards': [{'from': 'eth0', 'protocol': 'tcp', 'port': 8443, 'toAddress': '192.168.50.10',"
                + "  'toPort': 443}],"
                + "'icmpEcho': ['office', 'uplink']}"));

        FirewallConfig firewall = doc.firewall();
        assertEquals(Map.of("ot", new FirewallConfig.Zone(List.of("eth2")), "office",
                new FirewallConfig.Zone(List.of("eth1"))), firewall.zones());
        assertEquals(List.of(new FirewallConfig.Conduit("office", "ot", "tcp", List.of("4840", "8000-8100", "502"),
                List.of("192.168.50.0/24")), new FirewallConfig.Conduit("lan", "gateway", "icmp", List.of(), List.of(),
                Optional.of(new FirewallConfig.RateLimit(6, "minute", 5)))),
                firewall.conduits());
        assertEquals(List.of(new FirewallConfig.PortForward("eth0", "tcp", 8443, "192.168.50.10", Optional.of(443),
                List.of())), firewall.portForwards());
        assertEquals(List.of("office", "uplink"), firewall.icmpEcho());
    }

    @Test
    void aSectionClaimedByAValidatorBecomesAnExtensionOfPlainValues() {
        Validated result = parser.parse(Json.of("{'diag': {'ping': {'count': 3, 'targets': ['a', 'b'], 'loud': true,"
                + "'ratio': 0.5, 'note': null}}}"), Set.of("diag"));

        assertEquals(List.of(), result.errors());
        Map<?, ?> diag = (Map<?, ?>) result.document().orElseThrow().extensions().get("diag");
        Map<?, ?> ping = (Map<?, ?>) diag.get("ping");
        assertEquals(List.of("count", "targets", "loud", "ratio", "note"), List.copyOf(ping.keySet()));
        assertEquals(3, ping.get("count"));
        assertEquals(List.of("a", "b"), ping.get("targets"));
        assertEquals(true, ping.get("loud"));
        assertEquals(0.5, ping.get("ratio"));
        assertEquals(null, ping.get("note"));
    }

    @Test
    void anUnclaimedSectionIsAnErrorThatNamesTheKnownOnes() {
        Validated result = parse(Json.of("{'diag': {}}"));

        assertEquals(List.of(new ValidationError("/diag", "unknown section \"diag\"; expected one of ports, routes, "
                + "uplink, firewall, multicast, dns, management")), result.errors());
    }

    @Test
    void threeIndependentErrorsAreAllReported() {
        Validated result = parse(Json.of("{'ports': {'eth0': {'kind': 'ethernat', 'role': 'uplink'},"
                + "'eth1': {'kind': 'ethernet', 'role': 'lan', 'mtu': 20}},"
                + "'dns': {'servers': ['1.2.3']}}"));

        assertEquals(List.of("/dns/servers/0", "/ports/eth0/kind", "/ports/eth1/mtu"), pointers(result));
        assertTrue(result.document().isEmpty());
    }

    @Test
    void aSyntaxErrorNamesLineAndColumn() {
        Validated result = parse("{\n  \"ports\": {\n    \"eth0\": {\"kind\": \"ethernet\",,}\n  }\n}");

        assertEquals(1, result.errors().size());
        ValidationError error = result.errors().get(0);
        assertEquals("", error.pointer());
        assertTrue(error.message().startsWith("invalid JSON at line 3, column "), error.message());
    }

    @Test
    void aDuplicateKeyIsAnErrorNotASilentOverride() {
        Validated result = parse(Json.of("{'dns': {'servers': []}, 'dns': {'servers': ['1.1.1.1']}}"));

        assertEquals(List.of(""), pointers(result));
        assertTrue(result.errors().get(0).message().contains("dns"), result.errors().get(0).message());
    }

    @Test
    void integerMessagesSayWhatWasExpectedAndWhatCame() {
        Validated result = parse(Json.of("{'ports': {'eth0': {'kind': 'ethernet', 'role': 'lan', 'cost': 'abc'}}}"));

        assertEquals(List.of(new ValidationError("/ports/eth0/cost", "expected an integer 0..255, got \"abc\"")),
                result.errors());
    }

    @Test
    void pointersEscapeSlashAndTilde() {
        Validated result = parse(Json.of("{'ports': {'a/b~c': {'kind': 'ethernet', 'role': 'lan'}}}"));

        assertEquals(List.of("/ports/a~1b~0c"), pointers(result));
    }

    @Test
    void unknownKeysListTheKeysThatAreAllowed() {
        Validated result = parse(Json.of("{'management': {'broker': ['ssl://a:8883']}}"));

        assertEquals(List.of(new ValidationError("/management/broker",
                "unknown key \"broker\"; expected one of brokers, deviceId, mqttVersion, username, password, "
                        + "passwordFile, keepAliveSeconds, tls, commands, proxy")), result.errors());
    }

    static Stream<Arguments> invalidDocuments() {
        return Stream.of(
                // Top level
                arguments("root is not an object", "[]", List.of(""), "expected an object"),
                arguments("unknown section", withPorts("'firewal': {}"), List.of("/firewal"), "unknown section"),
                arguments("section of the wrong type", withPorts("'routes': {}"), List.of("/routes"),
                        "expected an array"),
                // Ports
                arguments("static uplink without gateway",
                        ethernet("eth0", "uplink", "'ipv4': {'method': 'static', 'address': '192.0.2.10/24'}"),
                        List.of("/ports/eth0/ipv4"), "all or nothing"),
                arguments("static uplink with gateway but no address",
                        ethernet("eth0", "uplink", "'ipv4': {'method': 'static', 'gateway': '192.0.2.1'}"),
                        List.of("/ports/eth0/ipv4"), "all or nothing"),
                arguments("static without address", ethernet("eth1", "lan", "'ipv4': {'method': 'static'}"),
                        List.of("/ports/eth1/ipv4"), "missing \"address\""),
                arguments("prefix out of range", staticPort("eth1", "dmz", "'address': '192.168.50.1/33'"),
                        List.of("/ports/eth1/ipv4/address"), "prefix length /33 is out of range; expected 0..32"),
                arguments("address without prefix", staticPort("eth1", "dmz", "'address': '192.168.50.1'"),
                        List.of("/ports/eth1/ipv4/address"), "with a prefix length"),
                arguments("octet out of range", staticPort("eth1", "dmz", "'address': '192.168.300.1/24'"),
                        List.of("/ports/eth1/ipv4/address"), "is not an IPv4 address"),
                arguments("network address as port address", staticPort("eth1", "dmz", "'address': '192.168.50.0/24'"),
                        List.of("/ports/eth1/ipv4/address"), "network address"),
                arguments("broadcast as port address", staticPort("eth1", "dmz", "'address': '192.168.50.255/24'"),
                        List.of("/ports/eth1/ipv4/address"), "broadcast address"),
                arguments("offline port with gateway",
                        staticPort("eth2", "offline", "'address': '10.20.0.1/24', 'gateway': '10.20.0.254'"),
                        List.of("/ports/eth2/ipv4/gateway"), "an offline port never has a gateway"),
                arguments("gateway outside the subnet",
                        staticPort("eth0", "uplink", "'address': '192.0.2.10/24', 'gateway': '198.51.100.1'"),
                        List.of("/ports/eth0/ipv4/gateway"), "outside this port's subnet 192.0.2.0/24"),
                arguments("gateway is the own address",
                        staticPort("eth0", "uplink", "'address': '192.0.2.10/24', 'gateway': '192.0.2.10'"),
                        List.of("/ports/eth0/ipv4/gateway"), "this port's own address"),
                arguments("dhcp with an address",
                        ethernet("eth0", "uplink", "'ipv4': {'method': 'dhcp', 'address': '192.0.2.10/24'}"),
                        List.of("/ports/eth0/ipv4/address"), "only method static takes address, gateway"),
                arguments("ipv4 without method", ethernet("eth0", "uplink", "'ipv4': {}"),
                        List.of("/ports/eth0/ipv4"), "missing \"method\""),
                arguments("unknown ipv4 method", ethernet("eth0", "uplink", "'ipv4': {'method': 'bootp'}"),
                        List.of("/ports/eth0/ipv4/method"), "unknown IPv4 method"),
                arguments("two ports in overlapping subnets", Json.of("{'ports': {"
                        + "'eth1': {'kind': 'ethernet', 'role': 'dmz',"
                        + "  'ipv4': {'method': 'static', 'address': '192.168.50.1/24'}},"
                        + "'eth3': {'kind': 'ethernet', 'role': 'lan',"
                        + "  'ipv4': {'method': 'static', 'address': '192.168.50.129/25'}}}}"),
                        List.of("/ports/eth3/ipv4/address"), "overlaps 192.168.50.1/24 of port eth1"),
                arguments("unknown port kind", port("eth0", "'kind': 'token-ring', 'role': 'uplink'"),
                        List.of("/ports/eth0/kind"),
                        "unknown port kind \"token-ring\"; expected one of ethernet, wifi, cellular"),
                arguments("unknown port role", ethernet("eth0", "wan", ""),
                        List.of("/ports/eth0/role"), "expected one of uplink, dmz, lan, offline, mgmt"),
                arguments("no role anywhere", port("eth0", "'kind': 'ethernet'"),
                        List.of("/ports/eth0"), "missing \"role\""),
                arguments("cost out of range", ethernet("eth0", "uplink", "'cost': 256"),
                        List.of("/ports/eth0/cost"), "expected an integer 0..255, got 256"),
                arguments("fractional cost", ethernet("eth0", "uplink", "'cost': 1.5"),
                        List.of("/ports/eth0/cost"), "got 1.5"),
                arguments("invalid interface name", ethernet("averyveryverylong0", "lan", ""),
                        List.of("/ports/averyveryverylong0"), "not a valid Linux interface name"),
                arguments("typo inside a port", ethernet("eth0", "uplink", "'gatway': '1.2.3.4'"),
                        List.of("/ports/eth0/gatway"), "unknown key \"gatway\""),
                arguments("mtu too small", ethernet("eth0", "lan", "'mtu': 67"),
                        List.of("/ports/eth0/mtu"), "expected an integer 68..9000"),
                arguments("uplink mtu below what TLS needs", ethernet("eth0", "uplink", "'mtu': 575"),
                        List.of("/ports/eth0/mtu"), "expected an integer 576..9000 (an uplink carries management"),
                arguments("malformed mac", ethernet("eth0", "lan", "'mac': '02-00-00-00-00-01'"),
                        List.of("/ports/eth0/mac"), "a MAC address like"),
                arguments("multicast mac", ethernet("eth0", "lan", "'mac': '01:00:5e:00:00:01'"),
                        List.of("/ports/eth0/mac"), "multicast address"),
                arguments("all-zero mac", ethernet("eth0", "lan", "'mac': '00:00:00:00:00:00'"),
                        List.of("/ports/eth0/mac"), "all-zero"),
                arguments("port dns not an address", ethernet("eth0", "lan", "'dns': ['1.1.1.1', 'dns.example']"),
                        List.of("/ports/eth0/dns/1"), "IPv4 address"),
                arguments("wifi settings on an ethernet port", ethernet("eth0", "uplink", "'wifi': {'ssid': 'x'}"),
                        List.of("/ports/eth0/wifi"), "only allowed on a port of kind wifi; this port is ethernet"),
                arguments("cellular settings on a wifi port",
                        port("wlan0", "'kind': 'wifi', 'role': 'uplink', 'cellular': {'apn': 'x'}"),
                        List.of("/ports/wlan0/cellular"), "only allowed on a port of kind cellular"),
                // Routes
                arguments("route via a port that does not exist",
                        routes("{'destination': '192.168.20.0/24', 'interface': 'eth9'}"),
                        List.of("/routes/0/interface"), "no port \"eth9\" in this document; its ports are eth0, eth1, eth2"),
                arguments("route destination with host bits",
                        routes("{'destination': '192.168.20.5/24', 'gateway': '192.168.50.254'}"),
                        List.of("/routes/0/destination"), "host bits must be zero: 192.168.20.5/24 lies in 192.168.20.0/24"),
                arguments("route without gateway or interface", routes("{'destination': '192.168.20.0/24'}"),
                        List.of("/routes/0"), "needs \"gateway\", \"interface\" or both"),
                arguments("route without destination", routes("{'gateway': '192.168.50.254'}"),
                        List.of("/routes/0"), "missing \"destination\""),
                arguments("default route via an offline port", routes("{'destination': '0.0.0.0/0', 'interface': 'eth2'}"),
                        List.of("/routes/0/interface"), "an offline port never carries a default route"),
                arguments("default route via an offline subnet",
                        routes("{'destination': '0.0.0.0/0', 'gateway': '10.20.0.254'}"),
                        List.of("/routes/0/gateway"), "an offline port never carries a default route; port eth2 is offline"),
                arguments("route gateway outside its port's subnet",
                        routes("{'destination': '192.168.20.0/24', 'gateway': '10.99.0.1', 'interface': 'eth1'}"),
                        List.of("/routes/0/gateway"), "outside 192.168.50.0/24, the subnet of port eth1"),
                arguments("negative metric", routes("{'destination': '192.168.20.0/24', 'interface': 'eth1', 'metric': -1}"),
                        List.of("/routes/0/metric"), "expected an integer 0..2147483647"),
                // Uplink
                arguments("probe timeout longer than its interval", probe("'intervalMs': 200, 'timeoutMs': 300"),
                        List.of("/uplink/probe/timeoutMs"), "expected an integer 10..200 (at most intervalMs), got 300"),
                arguments("probe interval too short", probe("'intervalMs': 10"),
                        List.of("/uplink/probe/intervalMs"), "expected an integer 50..600000"),
                arguments("empty probe target", probe("'targets': ['']"),
                        List.of("/uplink/probe/targets/0"), "non-empty string"),
                arguments("downAfter zero", probe("'downAfter': 0"),
                        List.of("/uplink/probe/downAfter"), "expected an integer 1..100"),
                arguments("quorum above the number of targets", probe("'targets': ['192.0.2.1'], 'quorum': 2"),
                        List.of("/uplink/probe/quorum"), "(at most the number of targets)"),
                arguments("unknown equal-cost mode", Json.of("{'uplink': {'equalCost': 'roundrobin'}}"),
                        List.of("/uplink/equalCost"), "expected one of multipath, failover"),
                arguments("weight 0", Json.of("{'uplink': {'weights': {'eth0': 0}}}"),
                        List.of("/uplink/weights/eth0"), "expected an integer 1..255"),
                arguments("management not a list", Json.of("{'uplink': {'management': 'eth0'}}"),
                        List.of("/uplink/management"), "expected an array"),
                arguments("empty port name in data", Json.of("{'uplink': {'data': ['eth0', '']}}"),
                        List.of("/uplink/data/1"), "non-empty string"),
                arguments("data cap without bytes", Json.of("{'uplink': {'dataCaps': {'wwan0': {'resetDay': 1}}}}"),
                        List.of("/uplink/dataCaps/wwan0"), "missing \"bytes\""),
                arguments("data cap reset day 31", Json.of("{'uplink': {'dataCaps': {'wwan0': {'bytes': 1, "
                        + "'resetDay': 31}}}}"), List.of("/uplink/dataCaps/wwan0/resetDay"), "expected an integer 1..28"),
                arguments("negative data cap", Json.of("{'uplink': {'dataCaps': {'wwan0': {'bytes': -5}}}}"),
                        List.of("/uplink/dataCaps/wwan0/bytes"), "expected a whole number"),
                // Firewall
                arguments("zone named like a role", firewall("'zones': {'lan': {'ports': ['eth1']}}"),
                        List.of("/firewall/zones/lan"), "\"lan\" is a role; choose another zone name"),
                arguments("zone named gateway", firewall("'zones': {'gateway': {'ports': []}}"),
                        List.of("/firewall/zones/gateway"), "\"gateway\" means the gateway itself"),
                arguments("zone named like a port", firewall("'zones': {'eth1': {'ports': ['eth1']}}"),
                        List.of("/firewall/zones/eth1"), "is a port of this document"),
                arguments("zone with a port that does not exist", firewall("'zones': {'ot': {'ports': ['eth7']}}"),
                        List.of("/firewall/zones/ot/ports/0"), "no port \"eth7\""),
                arguments("port in two zones", firewall("'zones': {'ot': {'ports': ['eth2']}, 'cell': {'ports': ['eth2']}}"),
                        List.of("/firewall/zones/cell/ports/0"), "already in zone ot"),
                arguments("conduit from an unknown zone", conduit("'from': 'plant', 'to': 'dmz', 'protocol': 'tcp'"),
                        List.of("/firewall/conduits/0/from"), "unknown zone \"plant\""),
                arguments("conduit rate limit per fortnight", conduit("'from': 'dmz', 'to': 'gateway', 'protocol': 'tcp', "
                        + "'rateLimit': {'rate': 3, 'per': 'fortnight'}"), List.of("/firewall/conduits/0/rateLimit/per"),
                        "expected one of second, minute, hour, day"),
                arguments("conduit from the gateway", conduit("'from': 'gateway', 'to': 'dmz', 'protocol': 'tcp'"),
                        List.of("/firewall/conduits/0/from"), "only allowed as a conduit's \"to\""),
                arguments("conduit ports for icmp",
                        conduit("'from': 'dmz', 'to': 'gateway', 'protocol': 'icmp', 'ports': ['22']"),
                        List.of("/firewall/conduits/0/ports"), "ports apply only to tcp and udp"),
                arguments("reversed port range",
                        conduit("'from': 'dmz', 'to': 'gateway', 'protocol': 'tcp', 'ports': ['8100-8000']"),
                        List.of("/firewall/conduits/0/ports/0"), "is reversed"),
                arguments("port zero", conduit("'from': 'dmz', 'to': 'gateway', 'protocol': 'tcp', 'ports': ['0-10']"),
                        List.of("/firewall/conduits/0/ports/0"), "port out of range"),
                arguments("conduit without protocol", conduit("'from': 'dmz', 'to': 'gateway'"),
                        List.of("/firewall/conduits/0"), "missing \"protocol\""),
                arguments("conduit source with host bits",
                        conduit("'from': 'dmz', 'to': 'gateway', 'protocol': 'any', 'sources': ['192.168.50.7/24']"),
                        List.of("/firewall/conduits/0/sources/0"), "host bits must be zero"),
                arguments("port forward from a non-uplink",
                        portForward("'from': 'eth1', 'protocol': 'tcp', 'port': 80, 'toAddress': '10.20.0.5'"),
                        List.of("/firewall/portForwards/0/from"), "port forwards come in on an uplink; port eth1 is dmz"),
                arguments("port forward with icmp",
                        portForward("'from': 'eth0', 'protocol': 'icmp', 'port': 80, 'toAddress': '10.20.0.5'"),
                        List.of("/firewall/portForwards/0/protocol"), "expected one of tcp, udp"),
                arguments("port forward to port 70000", portForward("'from': 'eth0', 'protocol': 'udp', 'port': 80, "
                        + "'toAddress': '10.20.0.5', 'toPort': 70000"),
                        List.of("/firewall/portForwards/0/toPort"), "expected an integer 1..65535"),
                arguments("icmp echo to the gateway zone", firewall("'icmpEcho': ['gateway']"),
                        List.of("/firewall/icmpEcho/0"), "only allowed as a conduit's \"to\""),
                // Multicast
                arguments("unicast group", flow("'group': '10.0.0.1', 'port': 4840, 'from': 'eth2', 'to': ['eth1']"),
                        List.of("/multicast/passThrough/0/group"),
                        "not a multicast group; expected an address in 224.0.0.0/4"),
                arguments("flow back to its source",
                        flow("'group': '224.0.2.14', 'port': 4840, 'from': 'eth2', 'to': ['eth1', 'eth2']"),
                        List.of("/multicast/passThrough/0/to/1"), "it cannot also go there"),
                arguments("flow to nowhere", flow("'group': '224.0.2.14', 'port': 4840, 'from': 'eth2', 'to': []"),
                        List.of("/multicast/passThrough/0/to"), "at least one"),
                arguments("flow from an unknown port",
                        flow("'group': '224.0.2.14', 'port': 4840, 'from': 'eth5', 'to': ['eth1']"),
                        List.of("/multicast/passThrough/0/from"), "unknown port or zone \"eth5\""),
                // DNS and management
                arguments("dns server not an address", Json.of("{'dns': {'servers': ['one.one.one.one']}}"),
                        List.of("/dns/servers/0"), "expected an IPv4 address"),
                arguments("broker with an unsupported scheme", Json.of("{'management': {'brokers': ['http://b:80']}}"),
                        List.of("/management/brokers/0"), "unsupported broker scheme"),
                arguments("broker scheme in upper case", Json.of("{'management': {'brokers': ['SSL://b:8883']}}"),
                        List.of("/management/brokers/0"), "unsupported broker scheme"),
                arguments("broker without host", Json.of("{'management': {'brokers': ['ssl:///x']}}"),
                        List.of("/management/brokers/0"), "no host"),
                arguments("proxy without url", Json.of("{'management': {'proxy': {'noProxy': []}}}"),
                        List.of("/management/proxy"), "missing \"url\""),
                arguments("https proxy", Json.of("{'management': {'proxy': {'url': 'https://p:3128'}}}"),
                        List.of("/management/proxy/url"), "unsupported proxy scheme"),
                arguments("proxy without port", Json.of("{'management': {'proxy': {'url': 'http://p'}}}"),
                        List.of("/management/proxy/url"), "no host or port"),
                arguments("proxy credentials in the url", Json.of("{'management': {'proxy': "
                        + "{'url': 'http://u:secret@p:3128'}}}"), List.of("/management/proxy/url"),
                        "put \"user:password\" in a file"),
                arguments("proxy url with a path", Json.of("{'management': {'proxy': {'url': 'http://p:3128/x'}}}"),
                        List.of("/management/proxy/url"), "a path, query or fragment"),
                arguments("relative proxy credentials file", Json.of("{'management': {'proxy': "
                        + "{'url': 'http://p:3128', 'credentialsFile': 'proxy.txt'}}}"),
                        List.of("/management/proxy/credentialsFile"), "an absolute file path"),
                arguments("bad noProxy entry", Json.of("{'management': {'proxy': "
                        + "{'url': 'http://p:3128', 'noProxy': ['10.0.0.0/33']}}}"),
                        List.of("/management/proxy/noProxy/0"), "an IPv4 CIDR block"),
                arguments("unknown proxy key", Json.of("{'management': {'proxy': "
                        + "{'url': 'http://p:3128', 'user': 'x'}}}"), List.of("/management/proxy/user"), "unknown"),
                arguments("device id with a slash", Json.of("{'management': {'deviceId': 'gw/1'}}"),
                        List.of("/management/deviceId"), "1 to 64 of A-Z a-z 0-9 _ -"),
                arguments("unknown MQTT version", Json.of("{'management': {'mqttVersion': '3.1'}}"),
                        List.of("/management/mqttVersion"), "expected one of 5, 3.1.1"),
                arguments("command pattern with a wildcard inside", Json.of("{'management': {'commands': "
                        + "{'allow': ['status', 'conf*']}}}"), List.of("/management/commands/allow/1"),
                        "\"conf*\" is not a command pattern"),
                arguments("command pattern in upper case", Json.of("{'management': {'commands': "
                        + "{'deny': ['Config.put']}}}"), List.of("/management/commands/deny/0"),
                        "is not a command pattern"),
                arguments("empty allow list", Json.of("{'management': {'commands': {'allow': []}}}"),
                        List.of("/management/commands/allow"), "forbids every command"),
                arguments("unknown key in commands", Json.of("{'management': {'commands': {'readOnly': true}}}"),
                        List.of("/management/commands/readOnly"), "unknown key \"readOnly\""),
                arguments("keep-alive of a second", Json.of("{'management': {'keepAliveSeconds': 1}}"),
                        List.of("/management/keepAliveSeconds"), "expected an integer 5..3600"),
                arguments("password and password file", Json.of("{'management': {'username': 'gw', "
                        + "'password': 'x', 'passwordFile': '/etc/isthmus/mqtt.pass'}}"),
                        List.of("/management/passwordFile"), "not both"),
                arguments("password without user", Json.of("{'management': {'password': 'x'}}"),
                        List.of("/management"), "a password needs a user name"),
                arguments("relative CA file", Json.of("{'management': {'tls': {'caFile': 'ca.pem'}}}"),
                        List.of("/management/tls/caFile"), "an absolute file path"),
                arguments("client certificate without key",
                        Json.of("{'management': {'tls': {'certFile': '/etc/isthmus/gw.pem'}}}"),
                        List.of("/management/tls"), "needs both \"certFile\" and \"keyFile\""),
                arguments("unknown TLS key", Json.of("{'management': {'tls': {'verify': false}}}"),
                        List.of("/management/tls/verify"), "unknown key"));
    }

    private static String ethernet(String name, String role, String settings) {
        return port(name, "'kind': 'ethernet', 'role': '" + role + "'" + (settings.isEmpty() ? "" : ", " + settings));
    }

    private static String staticPort(String name, String role, String ipv4) {
        return ethernet(name, role, "'ipv4': {'method': 'static', " + ipv4 + "}");
    }

    private static String routes(String route) {
        return withPorts("'routes': [" + route + "]");
    }

    private static String probe(String probe) {
        return Json.of("{'uplink': {'probe': {" + probe + "}}}");
    }

    private static String firewall(String firewall) {
        return withPorts("'firewall': {" + firewall + "}");
    }

    private static String conduit(String conduit) {
        return firewall("'conduits': [{" + conduit + "}]");
    }

    private static String portForward(String forward) {
        return firewall("'portForwards': [{" + forward + "}]");
    }

    private static String flow(String flow) {
        return withPorts("'multicast': {'passThrough': [{" + flow + "}]}");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidDocuments")
    void everyRuleReportsAtTheOffendingValue(String rule, String json, List<String> expectedPointers, String message) {
        Validated result = parse(json);

        assertEquals(expectedPointers, pointers(result), () -> result.errors().toString());
        assertTrue(result.errors().stream().anyMatch(e -> e.message().contains(message)),
                () -> "no message containing <" + message + "> in " + result.errors());
        assertTrue(result.document().isEmpty());
    }

    private static List<String> pointers(Validated result) {
        return Validated.sorted(result.errors()).stream().map(ValidationError::pointer).toList();
    }

    /** Input text goes into messages, logs and MQTT replies: a control character in it shows escaped, never raw. */
    @Test
    void controlCharactersOfTheInputAreEscapedInMessages() {
        Validated result = parse("{\"ports\": {\"eth0\": {\"kind\": \"ether\\u001b[2Jnet\", \"role\": \"uplink\"}}}");
        assertEquals(1, result.errors().size(), result.errors().toString());
        ValidationError error = result.errors().get(0);
        assertEquals("/ports/eth0/kind", error.pointer());
        assertEquals("unknown port kind \"ether\\u001b[2Jnet\"; expected one of ethernet, wifi, cellular",
                error.message());
    }
}
