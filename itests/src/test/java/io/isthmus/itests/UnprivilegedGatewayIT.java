package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * The packaged tree run the way isthmus.service runs it, in a lab namespace: as an unprivileged user ({@code nobody})
 * with only the unit's ambient capabilities (CAP_NET_ADMIN, CAP_NET_RAW, CAP_NET_BIND_SERVICE), no new privileges,
 * the unit's system call filter (@system-service, EPERM otherwise; lab-tools/syscall-filter.py with libseccomp);
 * smcrouted started as root and dropping to that user as isthmus-smcroute.service does; a private
 * /run/avahi-daemon owned by avahi bound in a mount namespace of its own, as the unit's BindPaths= does; and a
 * datagram socket standing in for systemd's NOTIFY_SOCKET (socat; there is no systemd on the build machine).
 */
public class UnprivilegedGatewayIT {
    static final String PROFILE = "x86-industrial";
    static final String USER = "nobody";
    static final String GROUP = "nogroup";
    static final String CAPS = "+net_admin,+net_raw,+net_bind_service";
    /**
     * The unit's SystemCallFilter=@system-service with SystemCallErrorNumber=EPERM, applied with libseccomp (there
     * is no systemd to do it here): the JVM and every helper it starts run under it.
     */
    static final List<String> SYSCALL_FILTER = List.of("/usr/bin/python3",
            MulticastSystemIT.TOOLS.resolve("syscall-filter.py").toString(), "@system-service", "--");

    @Rule
    public Timeout timeout = Timeout.seconds(240);

    static Lab lab;
    static MqttLab mqtt;
    Path work;
    Path state;
    GatewayProcess gateway;
    final List<Process> processes = new ArrayList<>();
    final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeClass
    public static void labUp() throws Exception {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        assumeTrue("needs smcroute, avahi-daemon, socat and setpriv", Files.isExecutable(Path.of("/usr/sbin/smcrouted"))
                && Files.isExecutable(Path.of("/usr/sbin/avahi-daemon"))
                && Files.isExecutable(Path.of("/usr/bin/socat")) && Files.isExecutable(Path.of("/usr/bin/setpriv")));
        lab = Lab.up();
        mqtt = MqttLab.attach(lab);
        mqtt.startBroker();
    }

    @AfterClass
    public static void labDown() throws Exception {
        if (mqtt != null) {
            mqtt.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Before
    public void setUp() throws Exception {
        work = Files.createTempDirectory("isthmus-unpriv-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        state = Files.createDirectories(work.resolve("state"));
        chown(state, USER + ":" + GROUP);
    }

    @After
    public void tearDown() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        FirewallSystemIT.delete(work);
    }

    static void chown(Path path, String owner) throws Exception {
        Lab.Result r = Lab.run(List.of("chown", "-R", owner, path.toString()), Duration.ofSeconds(10));
        assertEquals(r.err(), 0, r.exit());
    }

    Process background(List<String> cmd, Path log) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    /** isthmus-smcroute.service: root smcrouted in the gateway's namespace, group of the service user, -p user. */
    Path systemSmcroute() throws Exception {
        Path run = Files.createDirectories(work.resolve("run-smcroute"));
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxrwx---"));
        chown(run, "root:" + GROUP);
        Path log = work.resolve("smcrouted.log");
        List<String> cmd = new ArrayList<>(lab.inNamespace("gw"));
        cmd.addAll(List.of("sh", "-c", "umask 007; exec setpriv --regid=" + GROUP + " --clear-groups smcrouted -n -N "
                + "-l notice -f " + run.resolve("smcroute.conf") + " -u " + run.resolve("smcroute.sock") + " -P "
                + run.resolve("smcroute.pid") + " -p " + USER + ":" + GROUP));
        background(cmd, log);
        assertTrue("smcrouted ready", Lab.within(Duration.ofSeconds(10), () -> read(log).contains(
                "Ready, waiting for client request")) >= 0);
        return run.resolve("smcroute.sock");
    }

    /** The stand-in for systemd's notify socket: every datagram, as socat prints them (not separated). */
    Path notifySocket() throws Exception {
        Path dir = Files.createDirectories(work.resolve("notify"));
        Path socket = dir.resolve("notify.sock");
        background(List.of("sh", "-c", "umask 0; exec socat -u UNIX-RECV:" + socket + " -"), work.resolve("notify.log"));
        assertTrue(Lab.within(Duration.ofSeconds(5), () -> Files.exists(socket)) >= 0);
        return socket;
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** bin/isthmus run as the service user with the unit's capabilities only, in the gateway's namespace. */
    GatewayProcess startUnprivileged(String json, Map<String, String> env) throws Exception {
        Path avahiRun = Files.createDirectories(work.resolve("private/avahi-daemon"));
        Files.setPosixFilePermissions(avahiRun, PosixFilePermissions.fromString("rwxrwxrwx"));
        chown(avahiRun, "avahi:avahi");
        Path doc = work.resolve("network.json");
        Files.writeString(doc, json);
        List<String> prefix = new ArrayList<>(lab.inNamespace("gw"));
        prefix.addAll(List.of("unshare", "-m", "sh", "-c", "mount --bind " + avahiRun + " /run/avahi-daemon && exec \"$@\"",
                "sh", "setpriv", "--reuid=" + USER, "--regid=" + GROUP, "--clear-groups", "--inh-caps=" + CAPS,
                "--ambient-caps=" + CAPS, "--bounding-set=-all," + CAPS, "--no-new-privs", "--"));
        prefix.addAll(SYSCALL_FILTER);
        return GatewayProcess.start(prefix, PROFILE, Optional.of(doc), state, env);
    }

    static String document() {
        return MulticastSystemIT.document("", MulticastSystemIT.forThisKernel());
    }

    static String procStatus(long pid, String key) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith(key + ":"))
                .map(l -> l.substring(key.length() + 1).strip()).findFirst().orElse("");
    }

    @Test
    public void gatewayWorksAsAnUnprivilegedUserWithOnlyItsCapabilities() throws Exception {
        Path smcrouteSocket = systemSmcroute();
        Path notify = notifySocket();
        Path resolv = work.resolve("resolv.conf");
        chown(work, USER + ":" + GROUP);
        gateway = startUnprivileged(document(), Map.of(
                "ISTHMUS_JAVA_OPTS", "-Disthmus.resolv.conf=" + resolv + " -Disthmus.smcroute.socket=" + smcrouteSocket,
                "NOTIFY_SOCKET", notify.toString(), "WATCHDOG_USEC", "2000000"));
        assertTrue(gateway.transcript(), gateway.awaitReady(Duration.ofSeconds(60)).isPresent());

        // systemd is told READY=1 with the ready line, then fed WATCHDOG=1 by the liveness check
        assertTrue(read(work.resolve("notify.log")), Lab.within(Duration.ofSeconds(5),
                () -> read(work.resolve("notify.log")).startsWith("READY=1\nSTATUS=ready: ")) >= 0);
        assertTrue(read(work.resolve("notify.log")), Lab.within(Duration.ofSeconds(5),
                () -> read(work.resolve("notify.log")).contains("WATCHDOG=1")) >= 0);

        // the JVM runs as the user, with exactly the unit's capabilities
        long pid = gateway.pid();
        assertEquals("65534", procStatus(pid, "Uid").split("\\s+")[1]);
        assertEquals("0000000000003400", procStatus(pid, "CapEff"));
        assertEquals("0000000000003400", procStatus(pid, "CapBnd"));
        assertEquals("1", procStatus(pid, "NoNewPrivs"));
        assertEquals("seccomp filter mode, as SystemCallFilter= gives it", "2", procStatus(pid, "Seccomp"));

        // DHCP lease on the uplink (udhcpc as the user)
        assertTrue(gateway.transcript(), Lab.within(Duration.ofSeconds(30), () -> FirewallSystemIT.quietly(
                () -> lab.exec("gw", "ip", "-4", "addr", "show", "eth0").out().contains("inet 100.64.1."))) >= 0);
        // a renewal (unicast from port 68: CAP_NET_BIND_SERVICE) keeps the same udhcpc; without it udhcpc dies with
        // "bind: Permission denied" and is restarted from scratch
        ProcessHandle udhcpc = ProcessHandle.of(pid).orElseThrow().descendants()
                .filter(h -> List.of(h.info().arguments().orElse(new String[0])).containsAll(List.of("-i", "eth0"))
                        && h.info().commandLine().orElse("").contains("udhcpc"))
                .findFirst().orElseThrow(() -> new AssertionError("no udhcpc for eth0:\n" + gateway.transcript()));
        assertEquals(0, Lab.run(List.of("kill", "-USR1", Long.toString(udhcpc.pid())), Duration.ofSeconds(5)).exit());
        assertTrue(gateway.transcript(), gateway.awaitOutput("DHCP renew on eth0", Duration.ofSeconds(10)));
        assertTrue("the same udhcpc renewed:\n" + gateway.transcript(), udhcpc.isAlive());
        // resolv.conf from the lease's DNS, readable by everyone
        assertTrue(Lab.within(Duration.ofSeconds(10), () -> read(resolv).contains("nameserver 203.0.113.53")) >= 0);
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(resolv)));
        // the firewall table
        Lab.Result tables = lab.exec("gw", "nft", "list", "tables");
        assertTrue(tables.out(), tables.out().contains("table inet isthmus"));
        // the multicast route, in the system's smcrouted (a kernel without multicast routing: no route asked for)
        if (Lab.multicastRouting()) {
            Lab.Result routes = lab.exec("gw", "smcroutectl", "-p", "-u", smcrouteSocket.toString(), "show");
            assertTrue(routes.out() + routes.err(), routes.out().lines().anyMatch(
                    l -> l.matches("\\(\\*, 224\\.0\\.2\\.14\\)\\s+eth2\\s+eth1\\s*")));
        }
        // the mDNS reflector: avahi-daemon, a child of the gateway, running as the user
        assertTrue(gateway.transcript(), gateway.awaitOutput("mdns-reflector: started", Duration.ofSeconds(10)));
        List<ProcessHandle> avahi = ProcessHandle.of(pid).orElseThrow().descendants()
                .filter(h -> h.info().command().orElse("").endsWith("avahi-daemon")).toList();
        assertEquals(gateway.transcript(), 1, avahi.size());
        assertEquals("65534", procStatus(avahi.get(0).pid(), "Uid").split("\\s+")[1]);
        // no helper problem: the document committed, nothing rolled back or restarting
        assertTrue(gateway.transcript(), gateway.awaitOutput("generation 1 committed", Duration.ofSeconds(30)));
        String transcript = gateway.transcript();
        for (String bad : List.of("rolled back", "restarting in", "did not start", "Need root", "not alive")) {
            assertTrue(bad + " in\n" + transcript, !transcript.contains(bad));
        }
    }

    /**
     * DHCP and DNS on an inside port as the service user (docs/services.md): dnsmasq, a child of the gateway, runs as
     * the user with the inherited capabilities (ports 53 and 67, the raw and admin ones DHCP uses), keeps its leases
     * in the state dir, and answers a real DHCP client and a DNS query from the OT host.
     */
    @Test
    public void dhcpAndDnsServersRunAsTheUserWithItsCapabilities() throws Exception {
        chown(work, USER + ":" + GROUP);
        gateway = startUnprivileged(FirewallSystemIT.document("""
                "services": {"domain": "plant.lan", "ports": {
                  "eth2": {"dhcp": {"start": "10.20.0.100", "end": "10.20.0.150"}, "dns": {}}}}"""),
                Map.of("ISTHMUS_JAVA_OPTS", "-Disthmus.resolv.conf=" + work.resolve("resolv.conf")));
        assertTrue(gateway.transcript(), gateway.awaitReady(Duration.ofSeconds(60)).isPresent());
        assertTrue(gateway.transcript(), gateway.awaitOutput("generation 1 committed", Duration.ofSeconds(30)));
        List<ProcessHandle> dnsmasq = ProcessHandle.of(gateway.pid()).orElseThrow().descendants()
                .filter(h -> h.info().command().orElse("").endsWith("dnsmasq")).toList();
        assertEquals(gateway.transcript(), 1, dnsmasq.size());
        assertEquals("65534", procStatus(dnsmasq.get(0).pid(), "Uid").split("\\s+")[1]);

        Path script = work.resolve("udhcpc.sh");
        Files.writeString(script, "#!/bin/sh\ncase \"$1\" in bound) echo \"lease ip=$ip\";; esac\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Lab.Result lease = lab.exec("ot", "timeout", "20", "udhcpc", "-f", "-q", "-n", "-t", "6", "-T", "2", "-A", "1",
                "-i", "eth0", "-s", script.toString());
        assertTrue(lease.out() + lease.err() + gateway.transcript(), lease.out().matches("(?s).*lease ip=10\\.20\\.0\\."
                + "1[0-5][0-9].*"));
        assertTrue(Files.readString(state.resolve("services/dnsmasq-eth2.leases")).contains("10.20.0.1"));
        Lab.Result name = lab.exec("ot", "timeout", "6", "busybox", "nslookup", "gateway.plant.lan", "10.20.0.1");
        assertTrue(name.out() + name.err(), name.out().contains("Address: 10.20.0.1"));
        String transcript = gateway.transcript();
        for (String bad : List.of("rolled back", "restarting in", "did not start")) {
            assertTrue(bad + " in\n" + transcript, !transcript.contains(bad));
        }
    }

    /**
     * The outside review's case: without the system's smcrouted, the gateway's own one refuses to start as this user
     * (exit 77). The boot document is rolled back and the reason is on stderr (and in status.bootFile) instead of a
     * daemon retried every 10 s while the document commits.
     */
    @Test
    public void aHelperDaemonThatCannotStartRollsTheDocumentBack() throws Exception {
        // without multicast routing in the kernel the route fails before smcrouted starts (MulticastSystemIT)
        assumeTrue(MulticastSystemIT.NO_MROUTE, Lab.multicastRouting());
        chown(work, USER + ":" + GROUP);
        gateway = startUnprivileged(MulticastSystemIT.document("", MulticastSystemIT.MULTICAST),
                Map.of("ISTHMUS_JAVA_OPTS", "-Disthmus.resolv.conf=" + work.resolve("resolv.conf")));
        assertTrue(gateway.transcript(), gateway.awaitReady(Duration.ofSeconds(90)).isPresent());
        assertTrue(gateway.transcript(), Lab.within(Duration.ofSeconds(5), () -> gateway.stderr().stream().anyMatch(
                l -> l.startsWith("isthmus: boot document rolled back: ")
                        && l.contains("Need root privileges to start smcrouted"))) >= 0);
        String transcript = gateway.transcript();
        assertTrue(transcript, !transcript.contains("generation 1 committed"));
        assertEquals("no smcrouted left retrying", List.of(), ProcessHandle.of(gateway.pid()).orElseThrow()
                .descendants().filter(h -> h.info().command().orElse("").endsWith("smcrouted"))
                .map(h -> h.pid()).collect(Collectors.toList()));
    }

    /**
     * The installed system's file system in a private mount namespace, made as root before dropping to the user:
     * a fresh /run with /run/isthmus (the unit's RuntimeDirectory, the user's) and a /run/avahi-daemon owned by avahi
     * (the unit's BindPaths=), and /etc as an overlay whose resolv.conf is postinst's symbolic link to
     * /run/isthmus/resolv.conf. The host's /etc and /run are not touched.
     */
    GatewayProcess startAsInstalled(Map<String, String> env) throws Exception {
        String setup = String.join(" && ",
                "mount -t tmpfs -o mode=0755 tmpfs /run",
                "mkdir /run/isthmus /run/avahi-daemon /run/.etc-upper /run/.etc-work",
                "chown " + USER + ":" + GROUP + " /run/isthmus",
                "chown avahi:avahi /run/avahi-daemon && chmod 0777 /run/avahi-daemon",
                "mount -t overlay overlay -o lowerdir=/etc,upperdir=/run/.etc-upper,workdir=/run/.etc-work /etc",
                "rm -f /etc/resolv.conf && ln -s /run/isthmus/resolv.conf /etc/resolv.conf",
                "exec \"$@\"");
        List<String> prefix = new ArrayList<>(lab.inNamespace("gw"));
        prefix.addAll(List.of("unshare", "-m", "sh", "-c", setup, "sh", "setpriv", "--reuid=" + USER,
                "--regid=" + GROUP, "--clear-groups", "--inh-caps=" + CAPS, "--ambient-caps=" + CAPS,
                "--bounding-set=-all," + CAPS, "--no-new-privs", "--"));
        prefix.addAll(SYSCALL_FILTER);
        return GatewayProcess.start(prefix, PROFILE, Optional.empty(), state, env);
    }

    /**
     * Provisioned as isthmus-provision.service does (root, {@code isthmus provision}), then run as the service: no
     * --config, no redirected resolver. The provisioned document is applied once; the broker, given by host name,
     * resolves through /etc/resolv.conf -> /run/isthmus/resolv.conf written by the gateway from its lease; the
     * gateway comes online and {@code status} shows the document committed and no port or helper problem.
     */
    @Test
    public void provisionedGatewayResolvesItsBrokerByNameAndComesOnlineAsTheServiceUser() throws Exception {
        String device = "gw-prov";
        String broker = "tcp://" + lab.get("INET_BROKER_NAME") + ":" + MqttLab.PORT;
        Path smcrouteSocket = systemSmcroute();
        Path from = Files.createDirectories(work.resolve("etc/isthmus/provision"));
        Files.writeString(from.resolve("provision.json"),
                "{\"deviceId\": \"" + device + "\", \"brokers\": [\"" + broker + "\"]}");
        // with ICMP probes of the lab's internet host: ping as the user (CAP_NET_RAW)
        Files.writeString(from.resolve("network.json"), MulticastSystemIT.document("", MulticastSystemIT.forThisKernel()
                + ",\n\"uplink\": {\"probe\": {\"targets\": [\"" + lab.get("INET_PROBE_ADDR") + "\"]}}"
                + ",\n\"services\": {\"ports\": {\"eth2\": {\"dhcp\": {\"start\": \"10.20.0.100\", \"end\": \"10.20.0.150\"}}}}"));
        Lab.Result provisioned = Lab.run(List.of(Distribution.root().resolve("distribution/target/isthmus-" + PROFILE
                + "/bin/isthmus").toString(), "provision", "--from", from.toString(), "--etc",
                work.resolve("etc/isthmus").toString(), "--state", state.toString(), "--user", USER, "--group", GROUP),
                Duration.ofSeconds(60));
        assertEquals(provisioned.out() + provisioned.err(), 0, provisioned.exit());
        assertTrue(provisioned.out(), provisioned.out().startsWith("isthmus: provisioned " + device + " for " + broker));

        MqttTestClient watcher = MqttTestClient.v5("it-" + java.util.UUID.randomUUID(), true);
        clients.add(watcher);
        watcher.subscribe("isthmus/v1/" + device + "/state");
        gateway = startAsInstalled(Map.of("ISTHMUS_JAVA_OPTS", "-Disthmus.smcroute.socket=" + smcrouteSocket));
        assertTrue(gateway.transcript(), gateway.awaitReady(Duration.ofSeconds(60)).isPresent());
        assertTrue(Lab.within(Duration.ofSeconds(5), () -> Files.exists(state.resolve("provision/network.json.applied"))
                && !Files.exists(state.resolve("provision/network.json"))) >= 0);
        assertTrue("online:\n" + gateway.transcript(), Lab.within(Duration.ofSeconds(45), () -> {
            List<MqttTestClient.Received> st = watcher.on("/" + device + "/state");
            return !st.isEmpty() && st.get(st.size() - 1).json().path("online").asBoolean();
        }) >= 0);

        com.fasterxml.jackson.databind.JsonNode status = watcher.request(device, "status", Map.of(),
                Duration.ofSeconds(10));
        assertEquals(status.toString(), 200, status.path("status").asInt());
        com.fasterxml.jackson.databind.JsonNode body = status.path("body");
        assertEquals(body.toString(), "committed", body.path("bootFile").path("event").asText());
        assertEquals(state.resolve("provision/network.json").toString(), body.path("bootFile").path("file").asText());
        assertTrue(body.toString(), body.path("management").path("connected").asBoolean());
        assertEquals(broker, body.path("management").path("broker").asText());
        for (com.fasterxml.jackson.databind.JsonNode port : body.path("ports")) {
            if (List.of("eth0", "eth1", "eth2").contains(port.path("name").asText())) {
                assertTrue(port.toString(), port.path("problem").isNull() || port.path("problem").asText().isEmpty());
            }
        }
        // ping probes (CAP_NET_RAW) find the uplink up, with a round-trip time
        com.fasterxml.jackson.databind.JsonNode[] uplink = new com.fasterxml.jackson.databind.JsonNode[1];
        com.fasterxml.jackson.databind.JsonNode[] uplinks = new com.fasterxml.jackson.databind.JsonNode[1];
        long upAfter = Lab.within(Duration.ofSeconds(30), () -> {
            try {
                uplinks[0] = watcher.request(device, "status", Map.of(), Duration.ofSeconds(5)).path("body")
                        .path("uplinks");
                for (com.fasterxml.jackson.databind.JsonNode u : uplinks[0].path("uplinks")) {
                    if (u.path("port").asText().equals("eth0")) {
                        uplink[0] = u;
                    }
                }
            } catch (Exception e) {
                return false;
            }
            return uplink[0] != null && uplink[0].path("health").asText().equalsIgnoreCase("up")
                    && uplink[0].path("rttMs").isNumber();
        });
        assertTrue("eth0 up by its probes: " + uplinks[0], upAfter >= 0);
        // smcrouted, avahi-daemon and (DHCP on eth2, docs/services.md) dnsmasq: all wanted and running (smcrouted not
        // wanted where the kernel does not route multicast: the document has no routed group then)
        assertEquals(body.path("helpers").toString(), 3, body.path("helpers").size());
        for (com.fasterxml.jackson.databind.JsonNode helper : body.path("helpers")) {
            boolean wanted = Lab.multicastRouting() || !helper.path("name").asText().startsWith("smcrouted");
            assertTrue(helper.toString(), helper.path("wanted").asBoolean() == wanted
                    && (!wanted || helper.path("running").asBoolean()) && helper.path("problem").isNull());
        }
        String transcript = gateway.transcript();
        for (String bad : List.of("rolled back", "restarting in", "did not start", "not alive")) {
            assertTrue(bad + " in\n" + transcript, !transcript.contains(bad));
        }

        // the provisioned document ran once: the next boot runs the committed generation, no boot file
        gateway.close();
        gateway = startAsInstalled(Map.of("ISTHMUS_JAVA_OPTS", "-Disthmus.smcroute.socket=" + smcrouteSocket));
        assertTrue(gateway.transcript(), gateway.awaitReady(Duration.ofSeconds(60)).isPresent());
        com.fasterxml.jackson.databind.JsonNode[] again = new com.fasterxml.jackson.databind.JsonNode[1];
        assertTrue("status after the restart: " + again[0], Lab.within(Duration.ofSeconds(45), () -> {
            try {
                again[0] = watcher.request(device, "status", Map.of(), Duration.ofSeconds(5)).path("body");
                return again[0].path("management").path("connected").asBoolean();
            } catch (Exception e) {
                return false;
            }
        }) >= 0);
        assertTrue(again[0].toString(), again[0].path("bootFile").isNull());
        assertEquals(again[0].toString(), 1, again[0].path("generation").path("number").asInt());

        // a helper that dies and cannot start again is a problem in status, not a silent retry: the reflector's
        // run dir (in the gateway's mount namespace) made unwritable, then the reflector killed
        Path avahiRun = Path.of("/proc/" + gateway.pid() + "/root/run/avahi-daemon");
        Files.setPosixFilePermissions(avahiRun, PosixFilePermissions.fromString("---------"));
        ProcessHandle avahi = ProcessHandle.of(gateway.pid()).orElseThrow().descendants()
                .filter(h -> h.info().command().orElse("").endsWith("avahi-daemon")).findFirst().orElseThrow();
        avahi.destroyForcibly();
        com.fasterxml.jackson.databind.JsonNode[] seen = new com.fasterxml.jackson.databind.JsonNode[1];
        assertTrue("avahi-daemon problem in status: " + seen[0], Lab.within(Duration.ofSeconds(20), () -> {
            try {
                seen[0] = watcher.request(device, "status", Map.of(), Duration.ofSeconds(10)).path("body")
                        .path("helpers");
            } catch (Exception e) {
                return false;
            }
            for (com.fasterxml.jackson.databind.JsonNode h : seen[0]) {
                if (h.path("name").asText().equals("avahi-daemon") && !h.path("running").asBoolean()
                        && h.path("restarts").asInt() >= 1 && h.path("problem").asText().startsWith(
                                "mdns-reflector is not running (restarting with back-off): ")) {
                    return true;
                }
            }
            return false;
        }) >= 0);
    }
}
