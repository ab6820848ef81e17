package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The package's D-Bus policy in a real dbus-daemon configured like Debian's system bus (deny method calls by
 * default, ModemManager's own policy from /etc/dbus-1/system.d included), with python3-dbusmock owning
 * org.freedesktop.ModemManager1 as root: a call the default policy denies gets through for the service user once
 * the package's file is included. The service user is {@code nobody} here (the file's user="isthmus" rewritten:
 * the test creates no system user on the build machine). ModemManager's polkit check is not exercised (no polkitd).
 */
public class ModemManagerPolicyIT {
    static final Path MM_POLICY = Path.of("/etc/dbus-1/system.d/org.freedesktop.ModemManager1.conf");
    Path dir;
    Process daemon;
    Process mock;

    @Before
    public void setUp() throws Exception {
        assumeTrue("needs root", "root".equals(System.getProperty("user.name")));
        assumeTrue("needs dbus-daemon, python3-dbusmock and ModemManager's D-Bus policy",
                Files.isExecutable(Path.of("/usr/bin/dbus-daemon")) && Files.exists(MM_POLICY));
        dir = Files.createTempDirectory("isthmus-dbus-policy-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @After
    public void tearDown() throws Exception {
        for (Process p : new Process[] {mock, daemon}) {
            if (p != null) {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        if (dir != null) {
            FirewallSystemIT.delete(dir);
        }
    }

    /** A system-like bus with these policy files; ModemManager mocked as root. Returns the bus address. */
    String bus(boolean withPackagePolicy) throws Exception {
        Path systemD = Files.createDirectories(dir.resolve("system.d"));
        Files.copy(MM_POLICY, systemD.resolve(MM_POLICY.getFileName()));
        if (withPackagePolicy) {
            DebianPackageIT.extracted(root -> Files.writeString(systemD.resolve("isthmus.conf"), Files.readString(
                    root.resolve("usr/share/dbus-1/system.d/isthmus.conf")).replace("user=\"isthmus\"",
                    "user=\"nobody\"")));
        }
        Path socket = dir.resolve("bus");
        Files.writeString(dir.resolve("bus.conf"), """
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>system</type>
                  <listen>unix:path=%s</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <allow user="*"/>
                    <deny own="*"/>
                    <deny send_type="method_call"/>
                    <allow send_type="signal"/>
                    <allow send_requested_reply="true" send_type="method_return"/>
                    <allow send_requested_reply="true" send_type="error"/>
                    <allow receive_type="method_call"/>
                    <allow receive_type="method_return"/>
                    <allow receive_type="error"/>
                    <allow receive_type="signal"/>
                    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
                    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
                  </policy>
                  <policy user="root"><allow send_destination="*"/></policy>
                  <includedir>%s</includedir>
                </busconfig>
                """.formatted(socket, systemD));
        daemon = new ProcessBuilder("dbus-daemon", "--config-file=" + dir.resolve("bus.conf"), "--nofork")
                .redirectErrorStream(true).redirectOutput(dir.resolve("dbus-daemon.log").toFile()).start();
        assertTrue(Files.readString(dir.resolve("dbus-daemon.log")),
                Lab.within(Duration.ofSeconds(10), () -> Files.exists(socket)) >= 0);
        String address = "unix:path=" + socket;
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "-m", "dbusmock", "--system",
                "org.freedesktop.ModemManager1", "/org/freedesktop/ModemManager1", "org.freedesktop.ModemManager1")
                .redirectErrorStream(true).redirectOutput(dir.resolve("mock.log").toFile());
        pb.environment().put("DBUS_SYSTEM_BUS_ADDRESS", address);
        mock = pb.start();
        assertTrue("mock up: " + Files.readString(dir.resolve("mock.log")), Lab.within(Duration.ofSeconds(15),
                () -> FirewallSystemIT.quietly(() -> Lab.run(List.of("dbus-send", "--bus=" + address, "--print-reply",
                        "--dest=org.freedesktop.ModemManager1", "/org/freedesktop/ModemManager1",
                        "org.freedesktop.DBus.Peer.Ping"), Duration.ofSeconds(5)).ok())) >= 0);
        return address;
    }

    /** As the service user: a method call ModemManager's own policy keeps for root (its default is deny). */
    static Lab.Result pingAsServiceUser(String address) throws Exception {
        return Lab.run(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "dbus-send",
                "--bus=" + address, "--print-reply", "--dest=org.freedesktop.ModemManager1",
                "/org/freedesktop/ModemManager1", "org.freedesktop.DBus.Peer.Ping"), Duration.ofSeconds(10));
    }

    @Test
    public void withoutThePackagePolicyTheBusDeniesTheServiceUser() throws Exception {
        Lab.Result r = pingAsServiceUser(bus(false));
        assertTrue(r.out() + r.err(), r.err().contains("org.freedesktop.DBus.Error.AccessDenied"));
    }

    @Test
    public void thePackagePolicyLetsTheServiceUserTalkToModemManager() throws Exception {
        Lab.Result r = pingAsServiceUser(bus(true));
        assertEquals(r.out() + r.err(), 0, r.exit());
    }
}
