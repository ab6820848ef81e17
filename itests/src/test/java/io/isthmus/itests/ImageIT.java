package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
 * methods run in name order, the ones that restart the service (restart, watchdog, kill -9) last.
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

    /** The provisioning set the test wrote where an installer would (docs/provisioning.md) was installed once. */
    @Test
    public void aa_theFirstBootInstalledTheProvisioningSet() throws Exception {
        assertEquals(it.diagnostics(), "active", it.vm.sh("systemctl is-active isthmus-provision",
                Duration.ofSeconds(20)).out().strip());
        assertTrue(it.vm.sh("test -d /etc/isthmus/provision.applied && ! test -e /etc/isthmus/provision",
                Duration.ofSeconds(20)).ok());
        // the signing certificate is the service user's, readable by nobody else
        assertEquals("isthmus:isthmus 640", it.vm.ok("stat -c '%U:%G %a' /var/lib/isthmus/deploy/trusted/signer.pem")
                .strip());
        String journal = it.vm.ok("journalctl -q -b -u isthmus-provision -o cat");
        assertTrue(journal, journal.contains("provisioned " + it.device + " for " + MqttLab.BROKER));
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
        probe.put("intervalMs", 2500);
        JsonNode put = it.call(c, "config.put", Map.of("document", document));
        assertEquals(put.toString(), 200, put.path("status").asInt());
        assertTrue(put.toString(), put.at("/body/generation/number").asLong() > before);
        // committed on the gateway's disk, in its state directory
        String history = it.vm.ok("ls /var/lib/isthmus/config");
        assertFalse(history, history.isBlank());
    }

    @Test
    public void e_theHelperDaemonsRunAndTheSystemResolverFollowsTheGateway() throws Exception {
        // smcrouted through the gateway's own unit, the smcroute package's unit masked (one MRT socket per host)
        assertEquals(it.diagnostics(), "active", it.vm.sh("systemctl is-active isthmus-smcroute",
                Duration.ofSeconds(20)).out().strip());
        assertEquals("masked", it.vm.sh("systemctl is-enabled smcroute.service", Duration.ofSeconds(20)).out()
                .strip());
        assertEquals("inactive", it.vm.sh("systemctl is-active smcroute.service", Duration.ofSeconds(20)).out()
                .strip());
        String conf = it.vm.ok("cat /run/isthmus-smcroute/smcroute.conf");
        assertTrue(conf, conf.contains("224.0.2.14"));
        String procs = it.vm.ok("ps -eo user=,args=");
        assertTrue(procs, procs.lines().anyMatch(l -> l.startsWith("isthmus ") && l.contains("smcrouted")));
        assertTrue(procs, procs.lines().anyMatch(l -> l.startsWith("isthmus ") && l.contains("udhcpc")
                && l.contains("eth0")));
        // the mDNS reflector of the multicast section: the gateway's own avahi-daemon
        assertTrue(procs, procs.lines().anyMatch(l -> l.startsWith("isthmus ") && l.contains("avahi-daemon")));
        assertEquals("/run/isthmus/resolv.conf", it.vm.ok("readlink /etc/resolv.conf").strip());
        String resolv = it.vm.ok("cat /etc/resolv.conf");
        assertTrue(resolv, resolv.contains("nameserver " + it.lab.get("ISPW_DHCP_DNS")));
        // a host name resolves through the system's resolver, the lab ISP's DNS server
        String broker = it.vm.sh("getent hosts " + it.lab.get("INET_BROKER_NAME"), Duration.ofSeconds(30)).out();
        assertTrue(broker, broker.startsWith(it.lab.get("INET_BROKER_ADDR") + " "));
    }

    /**
     * The services section's time on the installed gateway: the service (user isthmus, ProtectClock) cannot run chronyd
     * itself, so isthmus-chrony.service's chronyd (started as root, running as isthmus) takes the document's servers
     * and served subnets over its socket; it syncs from an NTP server in the lab's internet (the guest's own clock:
     * a VM, never the host's) and serves the OT host. Debian's chrony.service stays masked and stopped.
     */
    @Test
    public void ea_aTimePartAppliesOnTheInstalledGatewayThroughIsthmusChrony() throws Exception {
        String ntp = TimeSystemIT.NTP;
        Path dir = java.nio.file.Files.createDirectories(it.work.resolve("lab-ntp"));
        java.nio.file.Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString(
                "rwxr-x---"));
        it.lab.exec("inet", "ip", "addr", "add", ntp + "/32", "dev", "lo");
        // the lab's NTP server, as in TimeSystemIT: -x, it never touches the host's clock
        Process server = new ProcessBuilder(List.of("ip", "netns", "exec", it.lab.ns("inet"), "chronyd", "-d", "-x",
                "-u", "root", "local stratum 8", "allow", "cmdport 0", "bindaddress " + ntp, "bindcmdaddress "
                        + dir.resolve("chronyd.sock"), "pidfile " + dir.resolve("chronyd.pid"))).redirectErrorStream(true)
                .redirectOutput(it.work.resolve("lab-ntp.log").toFile()).start();
        try {
            assertEquals(it.diagnostics(), "active", it.vm.sh("systemctl is-active isthmus-chrony",
                    Duration.ofSeconds(20)).out().strip());
            assertEquals("masked", it.vm.sh("systemctl is-enabled chrony.service", Duration.ofSeconds(20)).out()
                    .strip());
            assertEquals("inactive", it.vm.sh("systemctl is-active chrony.service", Duration.ofSeconds(20)).out()
                    .strip());

            MqttTestClient c = it.client();
            @SuppressWarnings("unchecked")
            Map<String, Object> document = MqttTestClient.JSON.convertValue(it.call(c, "config.get", Map.of())
                    .at("/body/document"), Map.class);
            document.put("services", Map.of("time", Map.of("servers", List.of(ntp), "serve", List.of("eth2"))));
            JsonNode put = it.call(c, "config.put", Map.of("document", document));
            assertEquals(put.toString() + "\n" + it.diagnostics(), 200, put.path("status").asInt());
            String sources = it.vm.ok("cat /run/isthmus-chrony/isthmus.sources");
            assertTrue(sources, sources.contains("server " + ntp + " iburst"));

            JsonNode[] last = new JsonNode[1];
            long synced = Lab.within(slow(Duration.ofSeconds(60)), () -> FirewallSystemIT.quietly(() -> {
                last[0] = it.call(c, "time.status", Map.of());
                return last[0].at("/body/synchronised").asBoolean() && last[0].at("/body/source").asText().equals(ntp);
            }));
            assertTrue("synchronised to the lab's server: " + last[0] + "\n" + it.diagnostics(), synced >= 0);
            JsonNode body = last[0].path("body");
            assertTrue(body.toString(), body.path("running").asBoolean());
            assertEquals(body.toString(), ntp, body.at("/sources/0/address").asText());
            System.out.printf("image amd64: time part applied, synchronised %d ms later%n", synced);

            // one chronyd, the unit's, as isthmus: none of the gateway's own
            List<String> chronyds = it.vm.ok("ps -ww -eo user=,args=").lines().filter(l -> l.contains("chronyd -d"))
                    .toList();
            assertEquals(chronyds.toString(), 1, chronyds.size());
            assertTrue(chronyds.toString(), chronyds.get(0).startsWith("isthmus ")
                    && chronyds.get(0).contains("/run/isthmus-chrony/chronyd.sock"));
            JsonNode helpers = it.call(c, "status", Map.of()).at("/body/helpers");
            boolean listed = false;
            for (JsonNode h : helpers) {
                if (h.path("name").asText().equals("chronyd (/run/isthmus-chrony/chronyd.sock)")) {
                    listed = h.path("wanted").asBoolean() && h.path("running").asBoolean();
                }
            }
            assertTrue(helpers.toString(), listed);

            // the OT host gets time from the gateway (chronyd -Q: asks once, sets nothing)
            Path q = java.nio.file.Files.createDirectories(it.work.resolve("q-ot"));
            java.nio.file.Files.setPosixFilePermissions(q, java.nio.file.attribute.PosixFilePermissions.fromString(
                    "rwxr-x---"));
            String[] answer = new String[1];
            boolean served = Lab.within(Duration.ofSeconds(60), () -> FirewallSystemIT.quietly(() -> {
                Lab.Result r = it.lab.exec("ot", "timeout", "20", "chronyd", "-Q", "-t", "8", "-u", "root",
                        "server " + it.lab.get("GW_OT_ADDR") + " iburst maxsamples 1", "cmdport 0",
                        "bindcmdaddress " + q.resolve("c.sock"), "pidfile " + q.resolve("c.pid"));
                answer[0] = r.out() + r.err();
                return answer[0].contains("System clock wrong by");
            })) >= 0;
            assertTrue("the OT host's query:\n" + answer[0], served);
        } finally {
            server.destroy();
            server.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            it.lab.exec("inet", "ip", "addr", "del", ntp + "/32", "dev", "lo");
        }
    }

    @Test
    public void f_systemctlStartReturnsOnlyOnceTheGatewayIsReadyWithItsFirewallInPlace() throws Exception {
        int before = it.readyLines().size();
        // without the table a previous run leaves, only the starting gateway can have put one there
        it.vm.ok("systemctl stop isthmus; nft delete table inet isthmus 2>/dev/null;"
                + " ! nft list table inet isthmus >/dev/null 2>&1");
        Instant started = Instant.now();
        GatewayVm.Result start = it.vm.sh("systemctl start isthmus; echo start=$?; systemctl is-active isthmus;"
                + " nft list table inet isthmus >/dev/null && echo table", slow(Duration.ofMinutes(1)));
        assertEquals(it.diagnostics(), List.of("start=0", "active", "table"), start.out().lines().toList());
        // the ready: line goes through journald, READY=1 straight to systemd: it may land a moment later
        assertTrue(it.diagnostics(), Lab.within(Duration.ofSeconds(10), () -> {
            try {
                return it.readyLines().size() == before + 1;
            } catch (Exception e) {
                return false;
            }
        }) >= 0);
        MqttTestClient.awaitOnline(it.device, started);
    }

    @Test
    public void g_aHungJvmIsKilledByTheWatchdogAndRestarted() throws Exception {
        long pid = it.mainPid();
        int before = it.readyLines().size();
        Instant stopped = Instant.now();
        it.vm.ok("kill -STOP " + pid);
        // WatchdogSec=20s after the last WATCHDOG=1, then SIGABRT (and SIGKILL after TimeoutStopSec=10s)
        long killed = Lab.within(slow(Duration.ofSeconds(45)), () -> {
            try {
                return it.mainPid() != pid;
            } catch (Exception e) {
                return false;
            }
        });
        assertTrue("the stopped JVM was not killed\n" + it.diagnostics(), killed >= 0);
        long back = Lab.within(slow(Duration.ofMinutes(1)), () -> {
            try {
                long now = it.mainPid();
                return now != 0 && now != pid && it.readyLines().size() == before + 1;
            } catch (Exception e) {
                return false;
            }
        });
        assertTrue("restarted and ready again\n" + it.diagnostics(), back >= 0);
        String journal = it.vm.ok("journalctl -q -b -u isthmus -o cat | grep -i watchdog || true");
        assertTrue(journal, journal.contains("Watchdog timeout"));
        MqttTestClient.awaitOnline(it.device, stopped);
        System.out.printf("image amd64: SIGSTOP -> killed by the watchdog %d ms, -> ready again %d ms%n", killed,
                killed + back);
    }

    /**
     * Bounds of waits for the JVM: emulated (TCG) the guest is 10-30x slower, and on a loaded 2-core machine its
     * start to ready has taken 120 s (33 s unloaded).
     */
    static Duration slow(Duration kvm) {
        return it.vm.accel.equals("kvm") ? kvm : kvm.multipliedBy(4);
    }

    @Test
    public void h_aJvmKilledWithSignal9IsRestartedBySystemd() throws Exception {
        long pid = it.mainPid();
        int before = it.readyLines().size();
        Instant killed = Instant.now();
        it.vm.ok("kill -9 " + pid);
        long back = Lab.within(slow(Duration.ofMinutes(1)), () -> {
            try {
                long now = it.mainPid();
                return now != 0 && now != pid && it.readyLines().size() == before + 1;
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

    /**
     * A field update signed by the provisioned key commits; then the VM reboots (systemctl reboot: the service stops
     * as on a gateway) and comes back with the same committed generation (the config.put of d_, not the provisioned
     * document again) and the field bundle active.
     */
    @Test
    public void i_aSignedFieldUpdateCommitsAndItAndTheCommittedGenerationSurviveAReboot() throws Exception {
        MqttTestClient c = it.client();
        DeployClient deploy = new DeployClient(c, it.device, slow(Duration.ofSeconds(30)));
        Path jar = DeployBundles.sign(DeployBundles.good(it.work, "1.0.0"), it.signer,
                it.work.resolve("probe-1.0.0-signed.jar"));
        String job = DeployClient.job();
        JsonNode accepted = deploy.inline("bundle.install", job, DeployBundles.PROBE, jar, 32 * 1024, 5000, Map.of());
        assertEquals(accepted.toString(), 200, accepted.path("status").asInt());
        JsonNode outcome = deploy.outcome(job, slow(Duration.ofMinutes(1)));
        assertEquals(outcome.toString(), "committed", outcome.path("outcome").asText());
        JsonNode probe = deploy.bundle(DeployBundles.PROBE).orElseThrow();
        assertEquals(probe.toString(), "ACTIVE", probe.path("state").asText());
        assertEquals("1.0.0", probe.path("version").asText());

        JsonNode status = it.call(c, "status", Map.of());
        long generation = status.at("/body/generation/number").asLong();
        JsonNode document = it.call(c, "config.get", Map.of()).at("/body/document");
        assertEquals("the config.put of d_ is current", 2500, document.at("/uplink/probe/intervalMs").asInt());

        Instant rebooted = Instant.now();
        long start = System.nanoTime();
        it.vm.reboot(slow(Duration.ofMinutes(3)));
        long ready = it.awaitReady(slow(BOOT), () -> (System.nanoTime() - start) / 1_000_000);
        MqttTestClient.awaitOnline(it.device, rebooted);
        System.out.printf("image amd64: systemctl reboot -> ready %d ms, -> online %d ms%n", ready,
                (System.nanoTime() - start) / 1_000_000);
        // the provisioning ran once: this boot ran the committed generation
        assertEquals("inactive", it.vm.sh("systemctl is-active isthmus-provision", Duration.ofSeconds(20)).out()
                .strip());

        MqttTestClient after = it.client();
        JsonNode again = it.call(after, "status", Map.of());
        assertEquals(again.toString(), generation, again.at("/body/generation/number").asLong());
        assertEquals(document, it.call(after, "config.get", Map.of()).at("/body/document"));
        JsonNode kept = new DeployClient(after, it.device, slow(Duration.ofSeconds(30))).bundle(DeployBundles.PROBE)
                .orElseThrow(() -> new AssertionError("the field bundle is gone after the reboot"));
        assertEquals(kept.toString(), "ACTIVE", kept.path("state").asText());
        assertEquals("1.0.0", kept.path("version").asText());
        assertEquals("isthmus", it.vm.ok("ps -o user= -p " + it.mainPid()).strip());
    }
}
