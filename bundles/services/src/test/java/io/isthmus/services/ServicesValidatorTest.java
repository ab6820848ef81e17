package io.isthmus.services;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isthmus.api.config.ValidationError;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServicesValidatorTest {
    static List<String> errors(String services) throws Exception {
        return new ServicesValidator().validate(Documents.withServices(services)).stream()
                .map(ValidationError::pointer).toList();
    }

    static List<ValidationError> full(String services) throws Exception {
        return new ServicesValidator().validate(Documents.withServices(services));
    }

    @Test
    void theLabSectionIsValid() throws Exception {
        assertEquals(List.of(), full(Documents.LAB));
    }

    @Test
    void dhcpOnAnUplinkIsRejected() throws Exception {
        List<ValidationError> e = full("""
                {"ports": {"eth0": {"dhcp": {"start": "100.64.1.200", "end": "100.64.1.210"}}}}""");
        assertEquals("/services/ports/eth0", e.get(0).pointer());
        assertEquals(true, e.get(0).message().contains("uplink"), e.toString());
    }

    @Test
    void poolOutsideTheSubnetOrAroundTheGatewayIsRejected() throws Exception {
        assertEquals(List.of("/services/ports/eth1/dhcp/end"), errors("""
                {"ports": {"eth1": {"dhcp": {"start": "192.168.50.100", "end": "192.168.51.10"}}}}"""));
        assertEquals(List.of("/services/ports/eth1/dhcp/start", "/services/ports/eth1/dhcp"), errors("""
                {"ports": {"eth1": {"dhcp": {"start": "192.168.50.0", "end": "192.168.50.9"}}}}"""));
        assertEquals(List.of("/services/ports/eth1/dhcp/end"), errors("""
                {"ports": {"eth1": {"dhcp": {"start": "192.168.50.200", "end": "192.168.50.100"}}}}"""));
        assertEquals(List.of("/services/ports/eth1/dhcp/start", "/services/ports/eth1/dhcp"), errors("""
                {"ports": {"eth1": {"dhcp": {"start": "192.168.50.1", "end": "192.168.50.100"}}}}"""));
    }

    @Test
    void reservationsInsideTheSubnetAndUnique() throws Exception {
        assertEquals(List.of("/services/ports/eth1/dhcp/reservations/0/address",
                "/services/ports/eth1/dhcp/reservations/1/mac", "/services/ports/eth1/dhcp/reservations/2/address",
                "/services/ports/eth1/dhcp/reservations/2/name"), errors("""
                {"ports": {"eth1": {"dhcp": {"start": "192.168.50.100", "end": "192.168.50.150", "reservations": [
                  {"mac": "02:00:00:00:00:01", "address": "10.20.0.5", "name": "plc"},
                  {"mac": "02:00:00:00:00:01", "address": "192.168.50.6"},
                  {"mac": "02:00:00:00:00:03", "address": "192.168.50.6", "name": "plc"}]}}}}"""));
    }

    @Test
    void overlappingPoolsAreRejected() throws Exception {
        // a second port on the same subnet (a misconfigured lan): two DHCP servers on one network
        var doc = Documents.withServices("""
                {"ports": {"eth1": {"dhcp": {"start": "192.168.50.100", "end": "192.168.50.150"}},
                           "eth3": {"dhcp": {"start": "192.168.50.120", "end": "192.168.50.160"}}}}""");
        var ports = new java.util.LinkedHashMap<>(doc.ports());
        ports.put("eth3", Documents.port(io.isthmus.api.net.PortRole.LAN, new io.isthmus.api.config.Ipv4Config.Static(
                io.isthmus.api.net.Ipv4Cidr.parse("192.168.50.2/24").orElseThrow(), java.util.Optional.empty())));
        var both = new io.isthmus.api.config.NetworkDocument(ports, doc.routes(), doc.uplink(), doc.firewall(),
                doc.multicast(), doc.dns(), doc.management(), doc.extensions());
        assertEquals(List.of("/services/ports/eth3/dhcp"), new ServicesValidator().validate(both).stream()
                .map(ValidationError::pointer).toList());
    }

    @Test
    void fieldErrorsHaveTheirPointers() throws Exception {
        assertEquals(List.of("/services/domain", "/services/ports/eth1/dhcp/leaseSeconds",
                "/services/ports/eth1/dhcp/reservations/0/mac", "/services/ports/eth1/dns/forward",
                "/services/ports/eth9"), errors("""
                {"domain": "Plant LAN", "ports": {
                  "eth1": {"dhcp": {"start": "192.168.50.100", "end": "192.168.50.150", "leaseSeconds": 5,
                                    "reservations": [{"mac": "nope", "address": "192.168.50.5"}]},
                           "dns": {"forward": "yes"}},
                  "eth9": {"dns": {}}}}"""));
    }

    @Test
    void aPortWithoutStaticAddressCannotServe() throws Exception {
        var doc = Documents.withServices("""
                {"ports": {"eth1": {"dns": {}}}}""");
        var ports = new java.util.LinkedHashMap<>(doc.ports());
        ports.put("eth1", Documents.port(io.isthmus.api.net.PortRole.DMZ, new io.isthmus.api.config.Ipv4Config.Dhcp()));
        var dynamic = new io.isthmus.api.config.NetworkDocument(ports, doc.routes(), doc.uplink(), doc.firewall(),
                doc.multicast(), doc.dns(), doc.management(), doc.extensions());
        assertEquals(List.of("/services/ports/eth1"), new ServicesValidator().validate(dynamic).stream()
                .map(ValidationError::pointer).toList());
    }
}
