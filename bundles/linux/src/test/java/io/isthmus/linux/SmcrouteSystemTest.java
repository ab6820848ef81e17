package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.MulticastRoute;
import io.isthmus.api.net.Ipv4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real smcrouted in a network namespace: the gateway's private daemon, the system's daemon (root, as
 * isthmus-smcroute.service runs it) driven through smcroutectl, and a daemon that cannot start.
 */
class SmcrouteSystemTest {
    private static final MulticastRoute ROUTE = new MulticastRoute("mc0",
            Ipv4Address.parse("239.1.2.3").orElseThrow(), List.of("mc1"));

    @TempDir
    Path dir;
    private TestNamespace ns;

    @BeforeEach
    void lab() {
        TestNamespace.assumeRoot();
        assumeTrue(ProcessRunner.find("smcrouted").isPresent(), "system test skipped: needs smcroute");
        ns = TestNamespace.create();
        ns.ip("link", "add", "name", "mc0", "type", "veth", "peer", "name", "mc1");
        ns.ip("link", "set", "mc0", "up");
        ns.ip("link", "set", "mc1", "up");
    }

    @AfterEach
    void cleanUp() {
        if (ns != null) {
            ns.close();
        }
    }

    private ProcessRunner runner() {
        return new ProcessRunner(ns.namespace(), Duration.ofSeconds(10));
    }

    private String show(Path socket) {
        return ns.exec("smcroutectl", "-p", "-u", socket.toString(), "show");
    }

    /** Forwarding needs a kernel built with CONFIG_IP_MROUTE; without it the change fails (the test below). */
    private static void assumeMulticastRouting() {
        assumeTrue(Files.exists(Smcroute.MULTICAST_ROUTING),
                "system test skipped: this kernel does not route IPv4 multicast (no CONFIG_IP_MROUTE)");
    }

    @Test
    void systemDaemonGetsTheRoutesThroughSmcroutectl() throws Exception {
        assumeMulticastRouting();
        Path run = Files.createDirectories(dir.resolve("run"));
        Path socket = run.resolve("smcroute.sock");
        Path out = dir.resolve("smcrouted.log");
        ns.start(out, "smcrouted", "-n", "-N", "-l", "notice", "-f", run.resolve("smcroute.conf").toString(), "-u",
                socket.toString(), "-P", run.resolve("smcroute.pid").toString());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.readString(out).contains(Smcroute.READY_LINE) && System.nanoTime() < deadline) {
            Thread.sleep(20); // polling the daemon's output for its ready line
        }
        Smcroute smcroute = new Smcroute(runner(), dir.resolve("data"), Optional.of(socket), TestLog.logger("t"));

        smcroute.set(List.of(ROUTE));
        assertTrue(show(socket).lines().anyMatch(l -> l.matches("\\(\\*, 239\\.1\\.2\\.3\\)\\s+mc0\\s+mc1\\s*")),
                show(socket));
        assertTrue(Files.readString(run.resolve("smcroute.conf")).contains("mroute from mc0 group 239.1.2.3 to mc1"));

        smcroute.set(List.of());
        assertFalse(show(socket).contains("239.1.2.3"), show(socket));

        ns.exec("smcroutectl", "-u", socket.toString(), "kill");
        KernelException e = assertThrows(KernelException.class, () -> smcroute.set(List.of(ROUTE)));
        assertTrue(e.getMessage().startsWith("smcroute: the system's smcrouted does not answer on " + socket),
                e.getMessage());
    }

    @Test
    void privateDaemonRunsAsRoot() throws Exception {
        assumeMulticastRouting();
        Smcroute smcroute = new Smcroute(runner(), dir, Optional.empty(), TestLog.logger("t"));
        try {
            smcroute.set(List.of(ROUTE));
            assertTrue(show(dir.resolve("smcroute.sock")).contains("239.1.2.3"));
        } finally {
            smcroute.deactivate();
        }
    }

    /**
     * The outside review's case: smcrouted started without root exits 77 ("Need root privileges"). The change fails
     * with that line instead of the daemon being retried every 10 s while the document commits.
     */
    @Test
    void daemonThatCannotStartFailsTheChange() throws Exception {
        Path asNobody = dir.resolve("smcrouted-as-nobody");
        Files.writeString(asNobody, "#!/bin/sh\nexec setpriv --reuid=nobody --regid=nogroup --clear-groups "
                + ProcessRunner.resolve("smcrouted") + " \"$@\"\n");
        Files.setPosixFilePermissions(asNobody, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        ConfiguredDaemon daemon = new ConfiguredDaemon("smcroute", runner(), dir.resolve("smcroute.conf"),
                l -> l.contains(Smcroute.READY_LINE), TestLog.logger("t"));
        long started = System.nanoTime();
        KernelException e = assertThrows(KernelException.class, () -> daemon.run(Smcroute.configuration(
                List.of(ROUTE)), asNobody.toString(), List.of("-n", "-N", "-f", dir.resolve("smcroute.conf")
                        .toString(), "-u", dir.resolve("s.sock").toString(), "-P", dir.resolve("s.pid").toString())));
        assertTrue(e.getMessage().contains("did not start: ") && e.getMessage().contains("Need root privileges"),
                e.getMessage());
        assertTrue(System.nanoTime() - started < ConfiguredDaemon.STARTUP.toNanos(), "failed at once");
        assertEquals(List.of(), ns.pids(), "nothing left running or retrying");
    }

    /**
     * A kernel without multicast routing (CONFIG_IP_MROUTE, e.g. some cloud and sandbox kernels): smcrouted would
     * start, log a parse error per route and forward nothing while the document committed. The change fails with
     * what is missing instead, before anything is written or started; no routes are still fine. (The kernel's
     * answer is a file's presence: a path that does not exist stands for such a kernel on any machine.)
     */
    @Test
    void aKernelWithoutMulticastRoutingFailsTheChangeAndStartsNothing() throws Exception {
        Smcroute smcroute = new Smcroute(runner(), dir, Optional.empty(), TestLog.logger("t"),
                dir.resolve("no-ip_mr_vif"));
        KernelException e = assertThrows(KernelException.class, () -> smcroute.set(List.of(ROUTE)));
        assertTrue(e.getMessage().startsWith("smcroute: this kernel does not route IPv4 multicast (built without "
                + "CONFIG_IP_MROUTE"), e.getMessage());
        assertEquals(List.of(), ns.pids(), "no smcrouted started");
        assertFalse(Files.exists(dir.resolve("smcroute.conf")), "no configuration written");
        assertEquals(List.of(), smcroute.current());
        smcroute.set(List.of());
        assertEquals(List.of(), ns.pids());
    }
}
