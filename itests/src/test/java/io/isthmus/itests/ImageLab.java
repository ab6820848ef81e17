package io.isthmus.itests;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A gateway image booted in a lab (docs/images.md, "Tests on the booted images"): the lab of lab.sh, its Mosquitto
 * broker on the internet, the image's copy with a provisioning set (device id, that broker, a trusted signing
 * certificate, the network document) in the place an installer writes it, and the VM on the lab's gateway wires. Figures (power-on to ready and to online, RSS) are printed as {@code image:} lines.
 */
final class ImageLab implements AutoCloseable {
    /** The provisioning set's place (docs/provisioning.md): applied by isthmus-provision.service at first boot. */
    static final String PROVISION = "/etc/isthmus/provision";
    /**
     * The unit's TimeoutStartSec=180s is for hardware; emulated (TCG) on a loaded 2-core machine the JVM alone has
     * taken 120 s to ready, so the test's copy allows the start longer (a drop-in; the unit itself is unchanged).
     */
    static final String START_TIMEOUT_PATH = "/etc/systemd/system/isthmus.service.d/emulated-start.conf";
    static final String START_TIMEOUT = "[Service]\nTimeoutStartSec=10min\n";
    /**
     * The deadline each section applier gets for an apply (isthmus.apply.timeoutMs, 30 s by default, for hardware):
     * emulated arm64 on a loaded machine, the firewall's first nft write took longer and the boot document was rolled
     * back. The copy allows 5 min, like the start timeout above; a hung applier still fails the test (no ready:).
     */
    static final String EMULATED_JAVA_OPTS = "-Disthmus.apply.timeoutMs=300000";

    final String arch;
    final String profile;
    final String device;
    final Lab lab;
    final MqttLab mqtt;
    final MqttTestClient watcher;
    final GatewayVm vm;
    final Path work;
    /** The key (PKCS12, DeployBundles) whose certificate the copy's provisioning set trusts for field updates. */
    final Path signer;
    final List<AutoCloseable> clients = new ArrayList<>();
    /** Milliseconds from power-on: the ready: line seen in the journal, the retained state online. */
    long readyMs = -1;
    long onlineMs = -1;

    private ImageLab(String arch, String profile, String device, Lab lab, MqttLab mqtt, MqttTestClient watcher,
            GatewayVm vm, Path work, Path signer) {
        this.arch = arch;
        this.profile = profile;
        this.device = device;
        this.lab = lab;
        this.mqtt = mqtt;
        this.watcher = watcher;
        this.vm = vm;
        this.work = work;
        this.signer = signer;
    }

    /**
     * The lab document for the VM (a probe every 2 s: emulated, every ping is a process the guest can hardly afford,
     * and a config.put whose uplink manager did not answer in 30 s was rolled back): eth0 DHCP uplink, eth1 DMZ
     * with a conduit to the uplink, eth2 offline OT; OPC UA PubSub and its mDNS discovery passed from OT to the DMZ,
     * so both helper daemons (smcrouted through isthmus-smcroute.service, the avahi reflector) run in the image.
     */
    static String document(String device) {
        return """
                {"ports": {
                  "eth0": {"kind": "ethernet", "role": "uplink", "cost": 0, "ipv4": {"method": "dhcp"}},
                  "eth1": {"kind": "ethernet", "role": "dmz", "ipv4": {"method": "static", "address": "192.168.50.1/24"}},
                  "eth2": {"kind": "ethernet", "role": "offline", "ipv4": {"method": "static", "address": "10.20.0.1/24"}}
                 },
                 "uplink": {"probe": {"targets": ["203.0.113.10"], "intervalMs": 2000, "timeoutMs": 1000,
                            "downAfter": 3, "upAfter": 2}},
                 "firewall": {"conduits": [{"from": "dmz", "to": "uplink", "protocol": "any"}]},
                 "multicast": {"passThrough": [{"group": "224.0.2.14", "port": 4840, "from": "eth2", "to": ["eth1"]},
                                               {"group": "224.0.0.251", "port": 5353, "from": "eth2", "to": ["eth1"]}]},
                 "management": {"brokers": ["%s"], "deviceId": "%s", "keepAliveSeconds": 5}}
                """.formatted(MqttLab.BROKER, device);
    }

    /**
     * Builds (or reuses) the image, brings the lab and its broker up, seeds the copy and powers the VM on; returns
     * once the guest's control shell answers. Everything made so far is removed when a step fails.
     */
    static ImageLab boot(String arch, String profile, String accel, int memoryMb, Duration shellTimeout)
            throws Exception {
        GatewayImage image = GatewayImage.build(arch);
        String device = "img-" + arch;
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "isthmus-image-it-");
        Lab lab = null;
        MqttLab mqtt = null;
        MqttTestClient watcher = null;
        try {
            lab = Lab.up();
            mqtt = MqttLab.attach(lab);
            mqtt.startBroker();
            watcher = MqttTestClient.v5("watch-" + UUID.randomUUID(), true);
            watcher.subscribe("isthmus/v1/" + device + "/state");
            // the one documented place an installer writes before first boot (docs/provisioning.md): the device id,
            // the broker, the certificate that signs field updates and the first network document
            Path signer = DeployBundles.key(Files.createDirectories(work.resolve("keys")), "signer",
                    work.resolve("keys/signer.pem"));
            Map<String, String> files = new LinkedHashMap<>();
            files.put(PROVISION + "/provision.json", "{\"deviceId\": \"" + device + "\", \"brokers\": [\""
                    + MqttLab.BROKER + "\"]}\n");
            files.put(PROVISION + "/network.json", document(device));
            files.put(PROVISION + "/trusted/signer.pem", Files.readString(work.resolve("keys/signer.pem")));
            // sourced by /usr/bin/isthmus (sh): a value with a space needs its quotes
            files.put("/etc/default/isthmus", "ISTHMUS_PROFILE=" + profile + "\nISTHMUS_ARGS=\nISTHMUS_JAVA_OPTS=\""
                    + EMULATED_JAVA_OPTS + "\"\n");
            files.put(GatewayVm.SHELL_UNIT_PATH, GatewayVm.SHELL_UNIT);
            files.put(START_TIMEOUT_PATH, START_TIMEOUT);
            files.put(GatewayVm.DEVICE_TIMEOUT_PATH, GatewayVm.DEVICE_TIMEOUT);
            Path disk = image.copyWith(work, files, GatewayVm.SHELL_LINKS);
            List<GatewayVm.Port> ports = List.of(
                    new GatewayVm.Port(lab.get("GW_WIRED_IF"), lab.get("GW_WIRED_MAC")),
                    new GatewayVm.Port(lab.get("GW_DMZ_IF"), lab.get("GW_DMZ_MAC")),
                    new GatewayVm.Port(lab.get("GW_OT_IF"), lab.get("GW_OT_MAC")));
            GatewayVm.wire(lab, ports);
            GatewayVm vm;
            try {
                // emulated on a loaded machine the kernel's first console line takes longer than under KVM
                vm = GatewayVm.boot(lab, image, disk, work, ports, accel, memoryMb,
                        accel.equals("kvm") ? Duration.ofSeconds(30) : Duration.ofMinutes(2), shellTimeout);
            } catch (GatewayVm.KernelStalled e) {
                if (!accel.equals("kvm")) {
                    throw e;
                }
                // seen on nested KVM (a VM in a VM): /dev/kvm opens, the guest's decompressor never finishes
                System.out.println("image " + arch + ": KVM does not run the guest kernel here, booting it emulated"
                        + " (TCG) instead: " + e.getMessage());
                vm = GatewayVm.boot(lab, image, disk, work, ports, "tcg", memoryMb, Duration.ofMinutes(2),
                        shellTimeout.multipliedBy(3));
            }
            return new ImageLab(arch, profile, device, lab, mqtt, watcher, vm, work, signer);
        } catch (Exception | Error e) {
            closeQuietly(watcher);
            closeQuietly(mqtt);
            closeQuietly(lab);
            delete(work);
            throw e;
        }
    }

    /** The journal's {@code ready:} lines of the service so far. */
    List<String> readyLines() throws Exception {
        return vm.sh("journalctl -q -u isthmus -o cat | grep '^ready:'", Duration.ofSeconds(30)).out().lines()
                .filter(l -> l.startsWith("ready:")).toList();
    }

    /** After ready:, the retained state says online within this (a DHCP lease and an MQTT connect: seconds). */
    static final Duration ONLINE_AFTER_READY = Duration.ofMinutes(2);

    /**
     * Waits for the first ready: line and the retained state online, measuring both from power-on. Fails at once,
     * with the diagnostics, when the journal says the document was rolled back: it would never come online then.
     */
    void awaitReadyAndOnline(Duration timeout) throws Exception {
        readyMs = awaitReady(timeout, vm::sincePowerOn);
        long onlineDeadline = System.nanoTime() + ONLINE_AFTER_READY.toNanos();
        long nextJournalLook = 0;
        while (!online()) {
            if (System.nanoTime() > onlineDeadline) {
                throw new AssertionError("state not online within " + ONLINE_AFTER_READY + " after the ready: line\n"
                        + diagnostics());
            }
            if (System.nanoTime() > nextJournalLook) {
                failIfRolledBack(vm.sh("journalctl -q -b -u isthmus -o cat | grep 'rolled[ ]back'",
                        Duration.ofSeconds(30)).out());
                nextJournalLook = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            }
            Thread.sleep(10); // polling what the subscription collected
        }
        onlineMs = vm.sincePowerOn();
        System.out.printf("image %s (%s): power-on -> ready %d ms, -> online on the broker %d ms%n", arch,
                vm.accel.equals("kvm") ? "KVM" : "TCG, emulated", readyMs, onlineMs);
    }

    /**
     * Waits for the ready: line of this boot (journalctl -b); {@code clock} read the moment it is seen. Fails at once,
     * with the diagnostics, when the journal says the document was rolled back.
     */
    long awaitReady(Duration timeout, java.util.function.LongSupplier clock) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String seen = vm.sh("journalctl -q -b -u isthmus -o cat | grep -E '^ready:|rolled[ ]back'",
                    Duration.ofSeconds(30)).out();
            failIfRolledBack(seen);
            if (seen.lines().anyMatch(l -> l.startsWith("ready:"))) {
                return clock.getAsLong();
            } else if (System.nanoTime() > deadline) {
                throw new AssertionError("no ready: line within " + timeout + "\n" + diagnostics());
            }
            Thread.sleep(100); // polling interval of a bounded wait (each poll is a guest command)
        }
    }

    /** The grep patterns above are written 'rolled[ ]back' so that an echo of the command line never matches. */
    private void failIfRolledBack(String journal) {
        journal.lines().filter(l -> l.contains("rolled back")).findFirst().ifPresent(l -> {
            throw new AssertionError("the gateway rolled its document back: " + l + "\n" + diagnostics());
        });
    }

    boolean online() {
        List<MqttTestClient.Received> s = watcher.on("/" + device + "/state");
        return !s.isEmpty() && s.get(s.size() - 1).json().path("online").asBoolean();
    }

    MqttTestClient client() throws Exception {
        MqttTestClient c = MqttTestClient.v5("it-" + UUID.randomUUID(), true);
        clients.add(c);
        return c;
    }

    JsonNode call(MqttTestClient c, String command, Map<String, Object> request) throws Exception {
        // emulated on a loaded machine a config.put (every applier, firewall and helper daemons) has taken > 20 s;
        // the gateway itself gives config.put 120 s
        return c.request(device, command, request, Duration.ofSeconds(vm.accel.equals("kvm") ? 30 : 120));
    }

    /** The service's main PID in the guest, or 0. */
    long mainPid() throws Exception {
        return Long.parseLong(vm.ok("systemctl show -p MainPID --value isthmus").strip());
    }

    /** What to look at when something did not come up: the unit, its journal, the addresses, the console. */
    String diagnostics() {
        StringBuilder b = new StringBuilder();
        for (String cmd : List.of("systemctl status --no-pager isthmus isthmus-provision",
                "journalctl -q -b -u isthmus-provision -o cat | tail -n 10", "journalctl -q -b -u isthmus -o cat | tail -n 60",
                "systemctl status --no-pager isthmus-smcroute smcroute",
                "journalctl -q -b -u isthmus-smcroute -u smcroute -o short-monotonic | tail -n 30",
                // jobs systemd dropped (ordering cycles, conflicts) at boot
                "journalctl -q -b _PID=1 -o cat | grep -iE 'cycle|deleted|conflict' | tail -n 20",
                "ip -br addr", "systemctl --failed --no-pager")) {
            try {
                b.append("$ ").append(cmd).append('\n').append(vm.sh(cmd, Duration.ofSeconds(20)).out()).append('\n');
            } catch (Exception e) {
                b.append("(").append(e.getMessage()).append(")\n");
            }
        }
        String console = vm.console();
        b.append("console (last 3000 chars):\n").append(console.substring(Math.max(0, console.length() - 3000)));
        return b.toString();
    }

    /** Lab host ping: 0 when {@code node} reaches {@code address}. */
    boolean pings(String node, String address) throws Exception {
        return lab.exec(node, "ping", "-c", "1", "-W", "1", address).ok();
    }

    static Optional<String> kvmUnusable() {
        Path kvm = Path.of("/dev/kvm");
        if (!Files.exists(kvm)) {
            return Optional.of("no /dev/kvm");
        }
        if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            return Optional.of("/dev/kvm is not read-writable by " + System.getProperty("user.name"));
        }
        return Optional.empty();
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("cleanup: " + e);
            }
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            System.err.println("cleanup of " + dir + ": " + e);
        }
    }

    @Override
    public void close() {
        clients.forEach(ImageLab::closeQuietly);
        closeQuietly(vm);
        closeQuietly(watcher);
        closeQuietly(mqtt);
        closeQuietly(lab);
        delete(work);
    }
}
