package io.isthmus.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * ModemManager, mocked: there is no modem on these machines, and the real ModemManager cannot see one. A private
 * dbus-daemon (its own config and socket in a temp dir, never the system bus) and python3-dbusmock serving
 * org.freedesktop.ModemManager1 with the project's template (itests/src/test/resources/cellular/modemmanager.py):
 * the same D-Bus API the driver uses on a gateway, and the real {@code mmcli} works against it. Test control
 * (drop registration, fail the bearer, reject an APN, counts and times of connects and resets) through the
 * template's org.isthmus.ModemManagerMock interface. {@link #close()} always ends both processes.
 */
final class ModemManagerMock implements AutoCloseable {
    static final Path TEMPLATE = Distribution.root().resolve("itests/src/test/resources/cellular/modemmanager.py");
    static final String SERVICE = "org.freedesktop.ModemManager1";
    static final String ROOT = "/org/freedesktop/ModemManager1";
    private static final ObjectMapper JSON = new ObjectMapper();

    final String address;
    private final Path dir;
    private final Process daemon;
    private final Process mock;

    private ModemManagerMock(Path dir, String address, Process daemon, Process mock) {
        this.dir = dir;
        this.address = address;
        this.daemon = daemon;
        this.mock = mock;
    }

    /** @param parameters the template's parameters (e.g. {@code pin}), as JSON values */
    static ModemManagerMock start(Map<String, Object> parameters) throws Exception {
        Path dir = Files.createTempDirectory("isthmus-mm-");
        Path socket = dir.resolve("bus");
        Files.writeString(dir.resolve("bus.conf"), """
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>system</type>
                  <listen>unix:path=%s</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <allow send_destination="*" eavesdrop="true"/>
                    <allow eavesdrop="true"/>
                    <allow own="*"/>
                  </policy>
                </busconfig>
                """.formatted(socket));
        Process daemon = new ProcessBuilder("dbus-daemon", "--config-file=" + dir.resolve("bus.conf"), "--nofork")
                .redirectErrorStream(true).redirectOutput(dir.resolve("dbus-daemon.log").toFile()).start();
        String address = "unix:path=" + socket;
        Process mock = null;
        try {
            if (Lab.within(Duration.ofSeconds(10), () -> Files.exists(socket)) < 0) {
                throw new IllegalStateException("dbus-daemon did not listen: " + Files.readString(dir.resolve(
                        "dbus-daemon.log")));
            }
            ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "-m", "dbusmock", "--system", "--template",
                    TEMPLATE.toString(), "--parameters", JSON.writeValueAsString(parameters))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("mock.log").toFile());
            pb.environment().put("DBUS_SYSTEM_BUS_ADDRESS", address);
            mock = pb.start();
            ModemManagerMock m = new ModemManagerMock(dir, address, daemon, mock);
            if (Lab.within(Duration.ofSeconds(15), m::answers) < 0) {
                throw new IllegalStateException("the ModemManager mock did not come up: " + m.log());
            }
            return m;
        } catch (Exception e) {
            if (mock != null) {
                mock.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            daemon.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw e;
        }
    }

    private boolean answers() {
        try {
            stats();
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** A test-control method of the template, e.g. {@code call("DropRegistration", "uint32:2")}. */
    String call(String method, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("dbus-send", "--bus=" + address, "--print-reply=literal",
                "--dest=" + SERVICE, ROOT, "org.isthmus.ModemManagerMock." + method));
        cmd.addAll(List.of(args));
        Lab.Result r = Lab.run(cmd, Duration.ofSeconds(10));
        if (!r.ok()) {
            throw new IllegalStateException(method + ": " + r.err());
        }
        return r.out().strip();
    }

    /** {connects: [{t, apn, result}], resets: [t], pins: [{t, ok}], enables: [t], state, pinRetries}. */
    JsonNode stats() throws IOException, InterruptedException {
        return JSON.readTree(call("Stats"));
    }

    /** The real mmcli, as an operator would run it, against the mock. */
    Lab.Result mmcli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("env", "DBUS_SYSTEM_BUS_ADDRESS=" + address, "mmcli"));
        cmd.addAll(List.of(args));
        return Lab.run(cmd, Duration.ofSeconds(20));
    }

    String log() throws IOException {
        return Files.readString(dir.resolve("mock.log"));
    }

    @Override
    public void close() throws Exception {
        for (Process p : List.of(mock, daemon)) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
