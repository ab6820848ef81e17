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
 * broker on the internet, the image's copy with a network document that points management at that broker, and the
 * VM on the lab's gateway wires. Figures (power-on to ready and to online, RSS) are printed as {@code image:} lines.
 */
final class ImageLab implements AutoCloseable {
    static final String NETWORK_JSON = "/etc/isthmus/network.json";

    final String arch;
    final String profile;
    final String device;
    final Lab lab;
    final MqttLab mqtt;
    final MqttTestClient watcher;
    final GatewayVm vm;
    final Path work;
    final List<AutoCloseable> clients = new ArrayList<>();
    /** Milliseconds from power-on: the ready: line seen in the journal, the retained state online. */
    long readyMs = -1;
    long onlineMs = -1;

    private ImageLab(String arch, String profile, String device, Lab lab, MqttLab mqtt, MqttTestClient watcher,
            GatewayVm vm, Path work) {
        this.arch = arch;
        this.profile = profile;
        this.device = device;
        this.lab = lab;
        this.mqtt = mqtt;
        this.watcher = watcher;
        this.vm = vm;
        this.work = work;
    }

    /** The lab document for the VM: eth0 DHCP uplink, eth1 DMZ with a conduit to the uplink, eth2 offline OT. */
    static String document(String device) {
        return """
                {"ports": {
                  "eth0": {"kind": "ethernet", "role": "uplink", "cost": 0, "ipv4": {"method": "dhcp"}},
                  "eth1": {"kind": "ethernet", "role": "dmz", "ipv4": {"method": "static", "address": "192.168.50.1/24"}},
                  "eth2": {"kind": "ethernet", "role": "offline", "ipv4": {"method": "static", "address": "10.20.0.1/24"}}
                 },
                 "uplink": {"probe": {"targets": ["203.0.113.10"], "intervalMs": 500, "timeoutMs": 400,
                            "downAfter": 3, "upAfter": 2}},
                 "firewall": {"conduits": [{"from": "dmz", "to": "uplink", "protocol": "any"}]},
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
            Map<String, String> files = new LinkedHashMap<>();
            files.put(NETWORK_JSON, document(device));
            // sourced by /usr/bin/isthmus (sh): a value with a space needs its quotes
            files.put("/etc/default/isthmus", "ISTHMUS_PROFILE=" + profile + "\nISTHMUS_ARGS=\"--config "
                    + NETWORK_JSON + "\"\nISTHMUS_JAVA_OPTS=\n");
            files.put(GatewayVm.SHELL_UNIT_PATH, GatewayVm.SHELL_UNIT);
            Path disk = image.copyWith(work, files, GatewayVm.SHELL_LINKS);
            List<GatewayVm.Port> ports = List.of(
                    new GatewayVm.Port(lab.get("GW_WIRED_IF"), lab.get("GW_WIRED_MAC")),
                    new GatewayVm.Port(lab.get("GW_DMZ_IF"), lab.get("GW_DMZ_MAC")),
                    new GatewayVm.Port(lab.get("GW_OT_IF"), lab.get("GW_OT_MAC")));
            GatewayVm.wire(lab, ports);
            GatewayVm vm;
            try {
                vm = GatewayVm.boot(lab, image, disk, work, ports, accel, memoryMb, Duration.ofSeconds(30),
                        shellTimeout);
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
            return new ImageLab(arch, profile, device, lab, mqtt, watcher, vm, work);
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

    /** Waits for the first ready: line and the retained state online, measuring both from power-on. */
    void awaitReadyAndOnline(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (readyMs < 0) {
            if (!readyLines().isEmpty()) {
                readyMs = vm.sincePowerOn();
            } else if (System.nanoTime() > deadline) {
                throw new AssertionError("no ready: line within " + timeout + "\n" + diagnostics());
            } else {
                Thread.sleep(100); // polling interval of a bounded wait (each poll is a guest command)
            }
        }
        while (!online()) {
            if (System.nanoTime() > deadline + Duration.ofMinutes(2).toNanos()) {
                throw new AssertionError("state not online within " + timeout + "\n" + diagnostics());
            }
            Thread.sleep(10); // polling what the subscription collected
        }
        onlineMs = vm.sincePowerOn();
        System.out.printf("image %s (%s): power-on -> ready %d ms, -> online on the broker %d ms%n", arch,
                vm.accel.equals("kvm") ? "KVM" : "TCG, emulated", readyMs, onlineMs);
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
        return c.request(device, command, request, Duration.ofSeconds(20));
    }

    /** The service's main PID in the guest, or 0. */
    long mainPid() throws Exception {
        return Long.parseLong(vm.ok("systemctl show -p MainPID --value isthmus").strip());
    }

    /** What to look at when something did not come up: the unit, its journal, the addresses, the console. */
    String diagnostics() {
        StringBuilder b = new StringBuilder();
        for (String cmd : List.of("systemctl status --no-pager isthmus", "journalctl -q -b -u isthmus -o cat | tail -n 60",
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
