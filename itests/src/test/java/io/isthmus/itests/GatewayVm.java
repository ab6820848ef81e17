package io.isthmus.itests;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A gateway image booted in QEMU inside a lab's {@code gw} namespace: each of the lab's gateway ports (a veth
 * that lab.sh made) is bridged, inside that namespace, to a tap device that backs one virtio NIC of the VM, so
 * the VM's eth0, eth1 … sit on the lab's wires exactly where a gateway process would. The VM's NICs get the lab's
 * MACs (the DHCP reservation matches); the veths get other ones, else the bridge would take the VM's frames as its
 * own. Nothing is created outside the lab's namespace: {@link #close()} and lab.sh down remove it all.
 *
 * <p>The test talks to the guest over a second console: a root shell on virtio console {@code hvc0}, which the
 * test writes into its own copy of the image ({@link #SHELL_UNIT}); the image itself has no such thing.
 */
final class GatewayVm implements AutoCloseable {

    /** One lab port: the veth's name in {@code gw} and the MAC the VM's NIC takes over. */
    record Port(String labIf, String mac) {
    }

    /** The control shell a test adds to its copy of the image (not part of the image). */
    static final String SHELL_UNIT_PATH = "/etc/systemd/system/isthmus-test-shell.service";
    static final String SHELL_UNIT = """
            [Unit]
            Description=Test control shell on hvc0 (written by the system test into its copy of the image)
            DefaultDependencies=no
            BindsTo=dev-hvc0.device
            After=dev-hvc0.device

            [Service]
            Environment=SYSTEMD_PAGER=cat SYSTEMD_COLORS=0 TERM=dumb PS1= PS2=
            ExecStart=/bin/sh
            StandardInput=tty
            StandardOutput=tty
            TTYPath=/dev/hvc0
            Restart=always
            RestartSec=1

            [Install]
            WantedBy=sysinit.target
            """;
    /**
     * Emulated arm64 on a loaded machine, udev took longer than the device job's default 90 s to announce hvc0 and
     * the shell never started: the test's copy waits for the device longer.
     */
    static final String DEVICE_TIMEOUT_PATH = "/etc/systemd/system/dev-hvc0.device.d/isthmus-test.conf";
    static final String DEVICE_TIMEOUT = "[Unit]\nJobRunningTimeoutSec=10min\n";
    static final Map<String, String> SHELL_LINKS = Map.of(
            "/etc/systemd/system/sysinit.target.wants/isthmus-test-shell.service", SHELL_UNIT_PATH);

    /** The accelerator the VM runs on: kvm, or tcg (emulated). */
    final String accel;
    private final Lab lab;
    private final Path dir;
    private final Process qemu;
    private final long poweredOn;
    private final SocketChannel shell;
    private final StringBuilder received = new StringBuilder();
    private final Thread reader;

    private GatewayVm(String accel, Lab lab, Path dir, Process qemu, long poweredOn, SocketChannel shell) {
        this.accel = accel;
        this.lab = lab;
        this.dir = dir;
        this.qemu = qemu;
        this.poweredOn = poweredOn;
        this.shell = shell;
        this.reader = new Thread(this::read, "vm-shell-" + lab.id);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Bridges each lab port to a tap device in the lab's {@code gw} namespace (vtap0, vtap1 … in the order given:
     * the VM's eth0, eth1 …). Once per lab; the namespace's deletion removes it all.
     */
    static void wire(Lab lab, List<Port> ports) throws IOException, InterruptedException {
        String ns = lab.ns("gw");
        int i = 0;
        for (Port port : ports) {
            String br = "vbr" + i;
            String tap = "vtap" + i;
            // the veth keeps a MAC of its own: the VM's NIC answers to the lab's
            ip(ns, "link", "set", port.labIf(), "address", "02:16:00:00:00:" + String.format("%02x", 0x10 + i));
            ip(ns, "link", "add", br, "type", "bridge");
            ip(ns, "link", "set", port.labIf(), "master", br);
            ip(ns, "tuntap", "add", "dev", tap, "mode", "tap");
            ip(ns, "link", "set", tap, "master", br);
            for (String l : List.of(port.labIf(), tap, br)) {
                ip(ns, "link", "set", l, "up");
            }
            i++;
        }
    }

    /** The guest kernel printed nothing on the console in time: the accelerator does not run it here. */
    static final class KernelStalled extends IllegalStateException {
        KernelStalled(String message) {
            super(message);
        }
    }

    /**
     * Powers the VM on (its NICs on the taps of {@link #wire}). {@code accel} is {@code kvm} or {@code tcg}; the
     * disk is the test's copy (with the shell unit seeded). Returns once the guest's control shell answers; throws
     * {@link KernelStalled} when the kernel has printed nothing within {@code kernelTimeout}.
     */
    static GatewayVm boot(Lab lab, GatewayImage image, Path disk, Path dir, List<Port> ports, String accel,
            int memoryMb, Duration kernelTimeout, Duration shellTimeout) throws Exception {
        List<String> netArgs = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            netArgs.addAll(List.of("-netdev", "tap,id=n" + i + ",ifname=vtap" + i + ",script=no,downscript=no",
                    "-device", "virtio-net-pci,romfile=,netdev=n" + i + ",mac=" + ports.get(i).mac()));
        }
        Files.deleteIfExists(dir.resolve("console.log"));
        Path sock = dir.resolve("shell.sock");
        Files.deleteIfExists(sock);
        List<String> cmd = new ArrayList<>(lab.inNamespace("gw"));
        if (image.arch().equals("amd64")) {
            cmd.addAll(List.of("qemu-system-x86_64", "-machine", "q35", "-accel", accel, "-cpu",
                    accel.equals("kvm") ? "host" : "max"));
        } else {
            cmd.addAll(List.of("qemu-system-aarch64", "-machine", "virt", "-accel", accel, "-cpu", "max"));
        }
        cmd.addAll(List.of("-smp", "2", "-m", String.valueOf(memoryMb), "-nographic", "-nodefaults",
                "-kernel", image.kernel().toString(), "-initrd", image.initrd().toString(),
                "-append", image.cmdline().replace(" quiet", ""),
                "-drive", "file=" + disk + ",format=raw,if=virtio,cache=unsafe",
                "-serial", "file:" + dir.resolve("console.log"),
                "-device", "virtio-serial-pci",
                "-chardev", "socket,id=sh,path=" + sock + ",server=on,wait=off",
                "-device", "virtconsole,chardev=sh",
                "-object", "rng-random,filename=/dev/urandom,id=rng", "-device", "virtio-rng-pci,rng=rng"));
        cmd.addAll(netArgs);
        long poweredOn = System.nanoTime();
        Process qemu = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("qemu.log").toFile()).start();
        SocketChannel ch = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (ch == null) {
            if (!qemu.isAlive()) {
                throw new IllegalStateException("qemu exited " + qemu.exitValue() + ": "
                        + Files.readString(dir.resolve("qemu.log")));
            }
            try {
                ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(sock));
            } catch (IOException e) {
                ch = null;
                if (System.nanoTime() > deadline) {
                    qemu.destroyForcibly();
                    throw new IllegalStateException("qemu's console socket never opened: " + e);
                }
                Thread.sleep(50); // polling interval of a bounded wait
            }
        }
        GatewayVm vm = new GatewayVm(accel, lab, dir, qemu, poweredOn, ch);
        try {
            long kernelDeadline = System.nanoTime() + kernelTimeout.toNanos();
            while (!vm.console().contains("Linux version")) {
                if (System.nanoTime() > kernelDeadline || !qemu.isAlive()) {
                    throw new KernelStalled("with -accel " + accel + " the guest kernel printed nothing within "
                            + kernelTimeout + " (console: " + vm.console().replaceAll("\\e\\[[0-9;?]*[a-zA-Z]", "")
                            .replaceAll("[^\\x20-\\x7e]+", " ").strip() + ")");
                }
                Thread.sleep(100); // polling the console file of a bounded wait
            }
            vm.awaitShell(shellTimeout);
        } catch (Exception e) {
            vm.close();
            throw e;
        }
        return vm;
    }

    /**
     * Reboots the guest from its own shell ({@code systemctl reboot}: the services stop as on a gateway) and returns
     * once the control shell of the new boot answers. QEMU stays up and loads the kernel again; the new boot is seen
     * on the console (one more "Linux version" line), so the old boot's shell, still alive while systemd stops
     * everything, is never taken for the new one.
     */
    void reboot(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int boots = kernelStarts();
        // not waited for: systemd may stop the shell before it prints its end marker
        send("systemctl reboot\n");
        while (kernelStarts() == boots) {
            if (System.nanoTime() > deadline || !qemu.isAlive()) {
                throw new IllegalStateException("the guest did not start again within " + timeout + "; console:\n"
                        + console().substring(Math.max(0, console().length() - 3000)));
            }
            Thread.sleep(100); // polling the console file of a bounded wait
        }
        awaitShell(Duration.ofNanos(Math.max(deadline - System.nanoTime(), Duration.ofMinutes(1).toNanos())));
    }

    /** How many times the guest kernel has started since power-on (its banner on the console). */
    private int kernelStarts() {
        String c = console();
        int n = 0;
        for (int at = c.indexOf("Linux version"); at >= 0; at = c.indexOf("Linux version", at + 1)) {
            n++;
        }
        return n;
    }

    /** Milliseconds since QEMU was started (power-on). */
    long sincePowerOn() {
        return (System.nanoTime() - poweredOn) / 1_000_000;
    }

    long poweredOnNanos() {
        return poweredOn;
    }

    private static void ip(String ns, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
        cmd.addAll(List.of(args));
        GatewayImage.run(cmd, Duration.ofSeconds(10));
    }

    private void read() {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        try {
            while (shell.read(buf) >= 0) {
                buf.flip();
                String s = StandardCharsets.UTF_8.decode(buf).toString();
                buf.clear();
                synchronized (received) {
                    received.append(s.replace("\r", ""));
                    received.notifyAll();
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** Waits until the guest's shell runs a command (it starts early in boot; retried while it is not there). */
    void awaitShell(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        // each try waits longer: a guest slower than one try's wait (emulated arm64 on a loaded machine) would
        // answer every try only after the next one had begun and never be seen
        Duration attempt = Duration.ofSeconds(3);
        while (true) {
            try {
                // a line sent before the guest opened its end may have arrived in part (an open quote swallows
                // all that follows): Ctrl-C makes the shell drop whatever it has read so far
                send("\003\n");
                // the tty echoes until stty -echo: the marker (printf's output) never appears in an echo
                if (sh("stty -echo -onlcr; echo up", attempt).out().strip().endsWith("up")) {
                    return;
                }
            } catch (IllegalStateException e) {
                if (!qemu.isAlive()) {
                    throw new IllegalStateException("VM is off: " + console());
                }
                attempt = attempt.multipliedBy(2).compareTo(Duration.ofSeconds(40)) > 0 ? Duration.ofSeconds(40)
                        : attempt.multipliedBy(2);
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the guest's control shell did not answer within " + timeout
                            + "; console:\n" + console());
                }
            }
        }
    }

    record Result(int exit, String out) {
        boolean ok() {
            return exit == 0;
        }
    }

    /** Runs a shell command in the guest as root; its output (stdout and stderr) and exit code. */
    synchronized Result sh(String command, Duration timeout) throws IOException, InterruptedException {
        String nonce = UUID.randomUUID().toString().substring(0, 8);
        String end = "@@" + nonce + ":";
        synchronized (received) {
            received.setLength(0);
        }
        // the marker is printed by printf, so an echo of this line (before stty -echo applies) never matches it
        String line = "{ " + command + "\n} </dev/null 2>&1; printf '\\n@@%s:%d@@\\n' " + nonce + " $?\n";
        send(line);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (true) {
                int at = received.indexOf(end);
                if (at >= 0) {
                    int close = received.indexOf("@@", at + end.length());
                    if (close > 0) {
                        int exit = Integer.parseInt(received.substring(at + end.length(), close));
                        String text = received.substring(0, at);
                        text = withoutEcho(text, nonce);
                        received.delete(0, close + 2);
                        return new Result(exit, text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("guest command timed out after " + timeout + ": " + command
                            + "\nreceived: " + received);
                }
                received.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /**
     * A shell restarted by systemd echoes again until the next stty -echo: drops the echo of the command line,
     * which ends in the printf format (never in output), the nonce and " $?" — seen split by a newline, so that
     * tail is matched ignoring newlines.
     */
    static String withoutEcho(String text, String nonce) {
        String format = "printf '\\n@@%s:%d@@\\n' ";
        int at = text.lastIndexOf(format);
        if (at < 0) {
            return text;
        }
        int end = text.indexOf("$?", at);
        String tail = nonce + " $?";
        int i = at + format.length();
        int matched = 0;
        while (i < text.length() && matched < tail.length()) {
            char c = text.charAt(i++);
            if (c == tail.charAt(matched)) {
                matched++;
            } else if (c != '\n') {
                // mangled: the echo still ends with " $?" and its line
                if (end < 0) {
                    return text;
                }
                int nl = text.indexOf('\n', end);
                return nl < 0 ? "" : text.substring(nl + 1);
            }
        }
        if (i < text.length() && text.charAt(i) == '\n') {
            i++;
        }
        return text.substring(i);
    }

    private void send(String text) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
            shell.write(out);
        }
    }

    /** Like {@link #sh} but fails unless the command exits 0; its output. */
    String ok(String command) throws IOException, InterruptedException {
        Result r = sh(command, Duration.ofSeconds(60));
        if (!r.ok()) {
            throw new AssertionError("guest: " + command + " exited " + r.exit() + ":\n" + r.out());
        }
        return r.out();
    }

    /** The kernel and systemd console (ttyS0) so far. */
    String console() {
        try {
            return Files.readString(dir.resolve("console.log"));
        } catch (IOException e) {
            return "(no console log: " + e + ")";
        }
    }

    boolean running() {
        return qemu.isAlive();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            shell.close();
        } finally {
            qemu.destroy();
            if (!qemu.waitFor(10, TimeUnit.SECONDS)) {
                qemu.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
