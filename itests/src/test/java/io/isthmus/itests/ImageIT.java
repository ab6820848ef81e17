package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

/**
 * The amd64 gateway image (distribution/images, profile x86-industrial) booted under KVM on the lab's wires: the
 * installed .deb runs as the systemd service, as user isthmus, and does the gateway's job. One boot for the class;
 * the kill -9 test runs last (methods in name order).
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class ImageIT {
    static final Duration BOOT = Duration.ofMinutes(3);
    static ImageLab it;

    @BeforeClass
    public static void boot() throws Exception {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        Optional<String> kvm = ImageLab.kvmUnusable();
        if (kvm.isPresent()) {
            System.out.println("ImageIT skipped: KVM is not usable here (" + kvm.get() + ")");
        }
        assumeTrue("KVM is not usable here: " + kvm.orElse(""), kvm.isEmpty());
        it = ImageLab.boot("amd64", "x86-industrial", "kvm", 1024, Duration.ofMinutes(2));
        // emulated (no usable KVM) the guest is 10-30x slower
        it.awaitReadyAndOnline(it.vm.accel.equals("kvm") ? BOOT : BOOT.multipliedBy(4));
        String rss = it.vm.ok("ps -o rss= -p " + it.mainPid()).strip();
        System.out.printf("image amd64: service RSS %s KiB after ready%n", rss);
    }

    @AfterClass
    public static void down() {
        if (it != null) {
            it.close();
        }
    }

    @Test
    public void a_theServiceIsActiveAndRunsAsIsthmusWithOnlyTheNetworkCapabilities() throws Exception {
        assertEquals("active", it.vm.sh("systemctl is-active isthmus", Duration.ofSeconds(20)).out().strip());
        assertEquals(it.diagnostics(), 1, it.readyLines().size());
        long pid = it.mainPid();
        assertEquals("isthmus", it.vm.ok("ps -o user= -p " + pid).strip());
        String status = it.vm.ok("cat /proc/" + pid + "/status");
        // CAP_NET_BIND_SERVICE (10: udhcpc renews from port 68), CAP_NET_ADMIN (12) and CAP_NET_RAW (13), nothing
        // else, also not in the bounding set
        assertTrue(status, status.contains("CapEff:\t0000000000003400"));
        assertTrue(status, status.contains("CapBnd:\t0000000000003400"));
        assertTrue(status, status.contains("NoNewPrivs:\t1"));
        ImageBundles.assertEveryBundleActive(it, "x86-industrial");
    }

    @Test
    public void b_theImageHasEveryToolFromTheDebsDependsAndNoOtherNetworkManager() throws Exception {
        for (String tool : List.of("ip", "nft", "conntrack", "ping", "sysctl", "udhcpc", "busybox", "smcrouted",
                "avahi-daemon", "wpa_supplicant", "ModemManager", "java")) {
            assertTrue(tool + " in the image", it.vm.sh("command -v " + tool, Duration.ofSeconds(20)).ok());
        }
        for (String pkg : List.of("ifupdown", "network-manager", "dhcpcd", "isc-dhcp-client", "gcc", "make")) {
            assertFalse(pkg + " must not be in the image",
                    it.vm.sh("dpkg-query -W -f='${Status}' " + pkg + " | grep -q 'install ok'",
                            Duration.ofSeconds(20)).ok());
        }
        for (String unit : List.of("systemd-networkd.service", "avahi-daemon.service")) {
            assertEquals(unit, "masked", it.vm.sh("systemctl is-enabled " + unit, Duration.ofSeconds(20)).out()
                    .strip());
        }
        assertEquals("enabled", it.vm.ok("systemctl is-enabled isthmus").strip());
        assertFalse("no documentation", it.vm.ok("ls /usr/share/man").contains("man8"));
    }

    @Test
    public void c_theUplinkGetsItsDhcpLeaseAndTheDmzReachesTheInternetButTheOtHostNever() throws Exception {
        String addr = it.vm.ok("ip -4 -o addr show dev eth0");
        assertTrue(addr, addr.contains(it.lab.get("GW_WIRED_ADDR") + "/24"));
        String inet = it.lab.get("INET_PROBE_ADDR");
        assertTrue("DMZ host -> internet through the conduit\n" + it.diagnostics(),
                Lab.within(Duration.ofSeconds(30), () -> {
                    try {
                        return it.pings("dmz", inet);
                    } catch (Exception e) {
                        return false;
                    }
                }) >= 0);
        for (int i = 0; i < 3; i++) {
            assertFalse("the OT host never reaches the internet", it.pings("ot", inet));
        }
        assertTrue("the OT host reaches its gateway port", it.pings("ot", it.lab.get("GW_OT_ADDR")));
    }

    @Test
    public void d_retainedStateStatusAndConfigPutWorkOverMqtt() throws Exception {
        MqttTestClient late = it.client();
        late.subscribe("isthmus/v1/" + it.device + "/state");
        assertTrue(Lab.within(Duration.ofSeconds(10), () -> !late.on("/state").isEmpty()) >= 0);
        MqttTestClient.Received state = late.on("/state").get(0);
        assertTrue("retained", state.retained());
        assertTrue(state.json().toString(), state.json().path("online").asBoolean());
        assertEquals("x86-industrial", state.json().path("profile").asText());

        MqttTestClient c = it.client();
        JsonNode status = it.call(c, "status", Map.of());
        assertEquals(status.toString(), 200, status.path("status").asInt());
        assertTrue(status.toString(), status.at("/body/management/connected").asBoolean());

        JsonNode get = it.call(c, "config.get", Map.of());
        @SuppressWarnings("unchecked")
        Map<String, Object> document = MqttTestClient.JSON.convertValue(get.at("/body/document"), Map.class);
        long before = status.at("/body/generation/number").asLong();
        @SuppressWarnings("unchecked")
        Map<String, Object> uplink = (Map<String, Object>) document.get("uplink");
        @SuppressWarnings("unchecked")
        Map<String, Object> probe = (Map<String, Object>) uplink.get("probe");
        probe.put("intervalMs", 600);
        JsonNode put = it.call(c, "config.put", Map.of("document", document));
        assertEquals(put.toString(), 200, put.path("status").asInt());
        assertTrue(put.toString(), put.at("/body/generation/number").asLong() > before);
        // committed on the gateway's disk, in its state directory
        String history = it.vm.ok("ls /var/lib/isthmus/config");
        assertFalse(history, history.isBlank());
    }

    @Test
    public void e_aJvmKilledWithSignal9IsRestartedBySystemd() throws Exception {
        long pid = it.mainPid();
        java.time.Instant killed = java.time.Instant.now();
        it.vm.ok("kill -9 " + pid);
        long back = Lab.within(Duration.ofSeconds(60), () -> {
            try {
                long now = it.mainPid();
                return now != 0 && now != pid && it.readyLines().size() >= 2;
            } catch (Exception e) {
                return false;
            }
        });
        assertTrue("restarted and ready again\n" + it.diagnostics(), back >= 0);
        assertNotEquals(pid, it.mainPid());
        assertEquals("isthmus", it.vm.ok("ps -o user= -p " + it.mainPid()).strip());
        MqttTestClient.awaitOnline(it.device, killed);
        System.out.printf("image amd64: kill -9 -> ready again %d ms%n", back);
    }
}
