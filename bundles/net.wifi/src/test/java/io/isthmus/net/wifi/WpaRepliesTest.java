package io.isthmus.net.wifi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Replies and events as wpa_supplicant 2.10 sends them (the 802.1X ones recorded on this machine, -D wired). */
class WpaRepliesTest {
    static final String STATUS_8021X = """
            bssid=01:80:c2:00:00:03
            freq=0
            ssid=lab
            id=0
            id_str=isthmus-f145febc92a62f198f65f6bd
            mode=station
            pairwise_cipher=NONE
            group_cipher=NONE
            key_mgmt=IEEE 802.1X (no WPA)
            wpa_state=COMPLETED
            ip_address=100.66.1.10
            address=02:15:00:00:00:50
            Supplicant PAE state=AUTHENTICATED
            suppPortStatus=Authorized
            EAP state=SUCCESS
            selectedMethod=25 (EAP-PEAP)
            eap_tls_version=TLSv1.2
            EAP TLS cipher=ECDHE-RSA-AES256-GCM-SHA384
            tls_session_reused=0
            EAP-PEAPv1 Phase2 method=MSCHAPV2
            uuid=fea7a7bd-7017-523b-8a9a-1642210db534
            """;
    static final String STATUS_EAP_FAILED = """
            bssid=01:80:c2:00:00:03
            freq=0
            ssid=
            id=0
            mode=station
            pairwise_cipher=NONE
            group_cipher=NONE
            key_mgmt=IEEE 802.1X (no WPA)
            wpa_state=ASSOCIATED
            address=5a:d9:b3:e4:ba:5f
            Supplicant PAE state=HELD
            suppPortStatus=Unauthorized
            EAP state=FAILURE
            selectedMethod=25 (EAP-PEAP)
            uuid=03677fad-76c6-5f53-bda0-8998d6f88962
            """;

    @Test
    void statusOfAnAuthorized8021xPort() {
        WpaReplies.Status s = WpaReplies.Status.parse(STATUS_8021X);
        assertEquals("COMPLETED", s.wpaState());
        assertEquals(Optional.of("lab"), s.ssid());
        assertEquals(Optional.empty(), s.frequencyMhz(), "freq=0 on the wired driver");
        assertEquals(Optional.of("PEAP"), s.eapMethod());
        assertEquals(Optional.of("SUCCESS"), s.eapState());
        assertEquals(Optional.of("isthmus-f145febc92a62f198f65f6bd"), s.idStr());
        assertTrue(s.connected());
        assertFalse(s.eapFailed());
    }

    @Test
    void statusOfAFailedAuthentication() {
        WpaReplies.Status s = WpaReplies.Status.parse(STATUS_EAP_FAILED);
        assertEquals(Optional.empty(), s.ssid());
        assertTrue(s.eapFailed());
        assertFalse(s.connected());
        assertEquals("802.1X authentication failed (EAP-PEAP): check eap.identity, eap.password and the certificates",
                WifiDriver.problemOf(s, Optional.empty(), WifiSettings.NONE));
    }

    @Test
    void statusOfAPskNetworkAndOfAnIdleSupplicant() {
        WpaReplies.Status s = WpaReplies.Status.parse("""
                bssid=02:aa:00:00:00:02
                freq=5180
                ssid=caf\\xc3\\xa9 \\"x\\"
                id=0
                mode=station
                wifi_generation=5
                pairwise_cipher=CCMP
                group_cipher=CCMP
                key_mgmt=WPA2-PSK
                wpa_state=COMPLETED
                address=02:15:00:00:00:50
                """);
        assertTrue(s.connected(), "no 802.1X: associated is enough");
        assertEquals(Optional.of(5180), s.frequencyMhz());
        assertEquals(Optional.of("caf\u00e9 \"x\""), s.ssid());
        WpaReplies.Status idle = WpaReplies.Status.parse("wpa_state=DISCONNECTED\naddress=5a:d9:b3:e4:ba:5f\n");
        assertFalse(idle.connected());
        assertEquals("not associated (DISCONNECTED); last attempt: network not found in the scan",
                WifiDriver.problemOf(idle, Optional.of("network not found in the scan"), WifiSettings.NONE));
    }

    @Test
    void signalPoll() {
        WpaReplies.Signal s = WpaReplies.Signal.parse("RSSI=-61\nLINKSPEED=866\nNOISE=9999\nFREQUENCY=5180\n");
        assertEquals(Optional.of(-61), s.rssiDbm());
        assertEquals(Optional.of(866), s.linkSpeedMbps());
        assertEquals(Optional.of(5180), s.frequencyMhz());
        assertEquals(WpaReplies.Signal.NONE, WpaReplies.Signal.parse("FAIL\n"), "the wired driver has no signal");
    }

    @Test
    void scanResults() {
        List<WpaReplies.ScanResult> r = WpaReplies.scanResults("""
                bssid / frequency / signal level / flags / ssid
                02:aa:00:00:00:01\t2437\t-48\t[WPA2-PSK-CCMP][ESS]\tplant-floor
                02:aa:00:00:00:03\t5500\t-70\t[WPA2-PSK-CCMP][WPS][ESS]\tcaf\\xc3\\xa9
                02:aa:00:00:00:04\t2462\t-82\t[ESS]\t
                garbage
                """);
        assertEquals(3, r.size());
        assertEquals(new WpaReplies.ScanResult("02:aa:00:00:00:01", 2437, -48, "[WPA2-PSK-CCMP][ESS]", "plant-floor"),
                r.get(0));
        assertEquals("caf\u00e9", r.get(1).ssid());
        assertEquals("5", r.get(1).toMap().get("band"));
        assertEquals("", r.get(2).ssid(), "a hidden network");
        assertEquals(List.of(), WpaReplies.scanResults("bssid / frequency / signal level / flags / ssid\n"));
    }

    @Test
    void events() {
        WpaReplies.Event e = WpaReplies.event("<3>CTRL-EVENT-SSID-TEMP-DISABLED id=0 ssid=\"plant-floor\" "
                + "auth_failures=1 duration=10 reason=WRONG_KEY").orElseThrow();
        assertEquals(3, e.level());
        assertEquals("CTRL-EVENT-SSID-TEMP-DISABLED", e.name());
        assertEquals(Optional.of("WRONG_KEY"), e.reason());
        WpaReplies.Event c = WpaReplies.event("<3>CTRL-EVENT-CONNECTED - Connection to 01:80:c2:00:00:03 completed "
                + "[id=0 id_str=isthmus-f145febc92a62f198f65f6bd]").orElseThrow();
        assertEquals("CTRL-EVENT-CONNECTED", c.name());
        assertEquals(Optional.empty(), c.reason());
        assertEquals("CTRL-EVENT-EAP-FAILURE", WpaReplies.event("<3>CTRL-EVENT-EAP-FAILURE EAP authentication failed")
                .orElseThrow().name());
        assertTrue(WpaReplies.isEvent("<2>CTRL-EVENT-SCAN-RESULTS "));
        assertFalse(WpaReplies.isEvent("OK\n"));
        assertFalse(WpaReplies.isEvent("bssid=01:80:c2:00:00:03\n"));
    }

    @Test
    void unescape() {
        assertEquals("a\\b\"c\td", WpaReplies.unescape("a\\\\b\\\"c\\td"));
        assertEquals("\u0000\u0000", WpaReplies.unescape("\\x00\\x00"));
        assertEquals("x\\", WpaReplies.unescape("x\\"));
    }

    @Test
    void networkIds() {
        assertEquals(List.of(0, 3), WpaCommands.networkIds("network id / ssid / bssid / flags\n0\tlab\tany\t[CURRENT]\n"
                + "3\tother\tany\t[DISABLED]\n"));
        assertEquals(List.of(), WpaCommands.networkIds("network id / ssid / bssid / flags\n"));
    }
}
