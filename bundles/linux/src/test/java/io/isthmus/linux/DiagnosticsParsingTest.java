package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isthmus.api.linux.Diagnostics.PingResult;
import io.isthmus.api.linux.Diagnostics.Resolution;
import io.isthmus.api.linux.Diagnostics.RouteLookup;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.net.Ipv4Address;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The output of ping, busybox nslookup and ip -j route get as captured on these machines. */
class DiagnosticsParsingTest {
    private static final List<Ipv4Address> SERVERS = List.of(ip("203.0.113.53"));

    private static Ipv4Address ip(String s) {
        return Ipv4Address.parse(s).orElseThrow();
    }

    @Test
    void pingSummaryGivesCountsAndRoundTripTimes() {
        String out = """
                PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
                64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.236 ms

                --- 127.0.0.1 ping statistics ---
                2 packets transmitted, 2 received, 0% packet loss, time 202ms
                rtt min/avg/max/mdev = 0.041/0.138/0.236/0.097 ms
                """;

        assertEquals(new PingResult("127.0.0.1", 2, 2, Optional.of(0.041), Optional.of(0.138), Optional.of(0.236),
                Optional.empty()), PingOutput.parse("127.0.0.1", out, ""));
    }

    @Test
    void aPingThatCannotLeaveSaysWhy() {
        PingResult r = PingOutput.parse("10.1.1.1", "", "ping: connect: Network is unreachable\n");

        assertEquals(Optional.of("connect: Network is unreachable"), r.problem());
        assertEquals(0, r.received());
    }

    @Test
    void lostPingsHaveNoTimes() {
        PingResult r = PingOutput.parse("203.0.113.99", """
                --- 203.0.113.99 ping statistics ---
                3 packets transmitted, 0 received, 100% packet loss, time 2040ms
                """, "");

        assertEquals(new PingResult("203.0.113.99", 3, 0, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty()), r);
    }

    @Test
    void nslookupAnswerGivesTheAddressesNotTheServers() {
        String out = "Server:\t\t203.0.113.53\nAddress:\t203.0.113.53:53\n\nName:\tbroker.isthmus.test\n"
                + "Address: 203.0.113.10\n\n";

        assertEquals(new Resolution("broker.isthmus.test", SERVERS, List.of(ip("203.0.113.10")), Optional.empty()),
                NslookupOutput.parse("broker.isthmus.test", SERVERS, out, ""));
    }

    @Test
    void nslookupNxdomainAndSilenceAreDifferentProblems() {
        Resolution nx = NslookupOutput.parse("x.test", SERVERS,
                "Server:\t\t203.0.113.53\nAddress:\t203.0.113.53:53\n\n** server can't find x.test: NXDOMAIN\n", "");
        Resolution silent = NslookupOutput.parse("x.test", SERVERS,
                ";; connection timed out; no servers could be reached\n", "");

        assertEquals(Optional.of("no such name (NXDOMAIN)"), nx.problem());
        assertEquals(Optional.of(NslookupOutput.NO_ANSWER), silent.problem());
    }

    @Test
    void routeGetGivesDeviceGatewayAndSource() throws Exception {
        var objects = new IpJson().objects("[{\"dst\":\"203.0.113.10\",\"gateway\":\"100.64.1.1\",\"dev\":\"eth0\","
                + "\"prefsrc\":\"100.64.1.10\",\"flags\":[],\"uid\":0,\"cache\":[]}]");

        assertEquals(new RouteLookup(ip("203.0.113.10"), "unicast", Optional.of("eth0"), Optional.of(ip("100.64.1.1")),
                Optional.of(ip("100.64.1.10")), Optional.empty(), Optional.empty()),
                RouteGetJson.parse(ip("203.0.113.10"), objects));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-c", "--help", "a b", "x;reboot", "", "a..b", "$(id)", "-1.example.com"})
    void targetsThatCouldBeOptionsOrWordsAreRefused(String target) {
        assertThrows(KernelException.class, () -> DiagnosticInput.host(target));
    }

    @ParameterizedTest
    @ValueSource(strings = {"203.0.113.10", "broker.isthmus.test", "example.test.", "a-b.c1"})
    void addressesAndHostNamesPass(String target) throws KernelException {
        assertEquals(target, DiagnosticInput.host(target));
    }
}
