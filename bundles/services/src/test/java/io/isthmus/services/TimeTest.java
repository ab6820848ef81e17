package io.isthmus.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.config.ValidationError;
import io.isthmus.api.firewall.HostOpenings.Opening;
import io.isthmus.api.linux.TimeStatus;
import io.isthmus.api.linux.TimeSync;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The services section's {@code time} part: reading, validation, the sync kept, the openings, time.status. */
class TimeTest {
    static List<String> errors(String services) throws Exception {
        return new ServicesValidator().validate(Documents.withServices(services)).stream()
                .map(ValidationError::pointer).toList();
    }

    static Ipv4Cidr cidr(String s) {
        return Ipv4Cidr.parse(s).orElseThrow();
    }

    @Test
    void serversAndServedSubnetsFromTheDocument() throws Exception {
        String services = """
                {"time": {"servers": ["203.0.113.123", "ntp.plant.example"], "serve": ["eth1", "eth2"]}}""";
        assertEquals(List.of(), errors(services));
        assertEquals(Optional.of(new TimeSync(List.of("203.0.113.123", "ntp.plant.example"),
                List.of(cidr("192.168.50.1/24"), cidr("10.20.0.1/24")))),
                ServicesPlan.time(Documents.withServices(services)));
    }

    @Test
    void anEmptyTimePartKeepsTheClockWithTheDebianPoolAndServesNobody() throws Exception {
        assertEquals(Optional.of(new TimeSync(ServicesPlan.DEFAULT_NTP, List.of(), "default")),
                ServicesPlan.time(Documents.withServices("{\"time\": {}}")));
        assertEquals(List.of(), ServicesPlan.openings(Documents.withServices("{\"time\": {}}")));
    }

    @Test
    void serversFromTheDocumentElseTheActiveUplinksLeaseElseTheDebianPool() throws Exception {
        Optional<ServicesPlan.UplinkNtp> lease = Optional.of(new ServicesPlan.UplinkNtp("eth0",
                List.of(Ipv4Address.parse("100.64.1.123").orElseThrow())));
        assertEquals(Optional.of(new TimeSync(List.of("100.64.1.123"), List.of(), "dhcp eth0")),
                ServicesPlan.time(Documents.withServices("{\"time\": {}}"), lease));
        assertEquals(Optional.of(new TimeSync(List.of("203.0.113.123"), List.of(), "document")),
                ServicesPlan.time(Documents.withServices("{\"time\": {\"servers\": [\"203.0.113.123\"]}}"), lease),
                "the document's servers win");
        assertEquals(Optional.of(new TimeSync(ServicesPlan.DEFAULT_NTP, List.of(), "default")),
                ServicesPlan.time(Documents.withServices("{\"time\": {}}"), Optional.of(new ServicesPlan.UplinkNtp(
                        "eth0", List.of()))), "a lease without option 42");
        assertTrue(ServicesPlan.followsLease(Documents.withServices("{\"time\": {}}")));
        assertFalse(ServicesPlan.followsLease(Documents.withServices("{\"time\": {\"servers\": [\"192.0.2.1\"]}}")));
        assertFalse(ServicesPlan.followsLease(Documents.withServices("")), "no time part: nothing to follow");
    }

    @Test
    void withoutATimePartTheClockIsLeftToTheSystem() throws Exception {
        assertEquals(Optional.empty(), ServicesPlan.time(Documents.withServices(Documents.LAB)));
        assertEquals(Optional.empty(), ServicesPlan.time(Documents.withServices("")));
    }

    @Test
    void udp123OpenedExactlyOnTheServedPorts() throws Exception {
        assertEquals(List.of(new Opening("eth2", "udp", 123, "ntp")), ServicesPlan.openings(Documents.withServices("""
                {"time": {"serve": ["eth2"]}}""")));
    }

    @Test
    void servingOnAnUplinkAnUnknownOrDynamicPortOrTwiceIsRejected() throws Exception {
        List<ValidationError> e = new ServicesValidator().validate(Documents.withServices("""
                {"time": {"serve": ["eth0", "wwan0", "eth9", "eth1", "eth1"]}}"""));
        assertEquals(List.of("/services/time/serve/0", "/services/time/serve/1", "/services/time/serve/2",
                "/services/time/serve/4"), e.stream().map(ValidationError::pointer).toList());
        assertTrue(e.get(0).message().contains("uplink"), e.toString());
        assertTrue(e.get(2).message().contains("no port eth9"), e.toString());
        assertTrue(e.get(3).message().contains("already listed at /services/time/serve/3"), e.toString());
    }

    @Test
    void badServersAreRejectedWithTheirPointers() throws Exception {
        assertEquals(List.of("/services/time/servers/0", "/services/time/servers/1", "/services/time/servers/2"),
                errors("""
                        {"time": {"servers": ["300.1.2.3", "ntp server", 5, "ntp.example"]}}"""));
        assertEquals(List.of("/services/time/servers"), errors("{\"time\": {\"servers\": []}}"));
        assertEquals(List.of("/services/time/where"), errors("{\"time\": {\"where\": 1}}"));
        assertEquals(List.of("/services/time"), errors("{\"time\": []}"));
    }

    @Test
    void timeStatusReply() {
        TimeStatus s = new TimeStatus(true, true, Optional.of("203.0.113.123"), 9, -0.0004,
                Optional.of(Instant.parse("2026-12-03T17:00:00Z")),
                List.of(new TimeStatus.Source("203.0.113.123", "selected", 8, 255)));
        Map<String, Object> body = TimeStatusCommand.body(Optional.of(new TimeSync(List.of("203.0.113.123"),
                List.of(cidr("10.20.0.1/24")))), s);
        assertEquals(true, body.get("synchronised"));
        assertEquals("203.0.113.123", body.get("source"));
        assertEquals("document", body.get("serversFrom"));
        assertEquals(List.of("10.20.0.0/24"), body.get("serves"));
        assertEquals("2026-12-03T17:00:00Z", body.get("lastSync"));
        assertEquals(List.of(Map.of("address", "203.0.113.123", "state", "selected", "stratum", 8, "reach", "377")),
                body.get("sources"));
        assertEquals(false, TimeStatusCommand.body(Optional.empty(), TimeStatus.notRunning()).get("kept"));
    }
}
