package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isthmus.api.linux.DhcpClients.DhcpListener;
import io.isthmus.api.linux.DhcpLease;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * udhcpc against a real dnsmasq: the server in one namespace, the client in another, a veth pair between them
 * (srv0 10.77.0.1/24, dhc0). Root only.
 */
@Timeout(90)
class UdhcpcClientsSystemTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Ipv4Address SERVER = Ipv4Address.parse("10.77.0.1").orElseThrow();
    private static final Ipv4Cidr POOL = Ipv4Cidr.parse("10.77.0.0/24").orElseThrow();

    @TempDir
    Path dir;
    private TestNamespace server;
    private TestNamespace client;
    private UdhcpcClients clients;
    private Path dnsmasqLog;

    static final class Recorder implements DhcpListener {
        final LinkedBlockingQueue<Optional<DhcpLease>> leases = new LinkedBlockingQueue<>();

        @Override
        public void leaseChanged(String device, Optional<DhcpLease> lease) {
            leases.add(lease);
        }

        Optional<DhcpLease> await(Predicate<Optional<DhcpLease>> match, String what) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                Optional<DhcpLease> l = left > 0 ? leases.poll(left, TimeUnit.NANOSECONDS) : null;
                if (l == null) {
                    throw new AssertionError("not within " + WAIT.toSeconds() + " s: " + what);
                }
                if (match.test(l)) {
                    return l;
                }
            }
        }
    }

    @BeforeEach
    void serverAndClient() throws IOException, InterruptedException {
        TestNamespace.assumeRoot();
        assumeTrue(ProcessRunner.find("dnsmasq").isPresent() && ProcessRunner.find("udhcpc").isPresent(),
                "DHCP system test skipped: needs dnsmasq and udhcpc (tools/install-deps.sh)");
        server = TestNamespace.create();
        client = TestNamespace.create();
        server.ip("link", "add", "name", "srv0", "type", "veth", "peer", "name", "dhc0", "netns", client.name);
        server.ip("addr", "add", "10.77.0.1/24", "dev", "srv0");
        server.ip("link", "set", "srv0", "up");
        client.ip("link", "set", "dhc0", "up");
        dnsmasqLog = dir.resolve("dnsmasq.log");
        // --no-ping: dnsmasq would otherwise probe each address for up to 3 s before offering it
        server.start(dnsmasqLog, ProcessRunner.find("dnsmasq").orElseThrow(), "--no-daemon", "--conf-file=/dev/null",
                "--port=0", "--no-ping", "--log-dhcp", "--interface=srv0", "--bind-interfaces",
                "--dhcp-range=10.77.0.50,10.77.0.99,255.255.255.0,2m", "--dhcp-option=option:router,10.77.0.1",
                "--dhcp-option=option:dns-server,10.77.0.1", "--dhcp-option=option:mtu,1400",
                "--dhcp-option=option:ntp-server,10.77.0.123",
                "--dhcp-leasefile=" + dir.resolve("leases"), "--pid-file=" + dir.resolve("dnsmasq.pid"));
        awaitTrue(() -> log().contains("sockets bound exclusively to interface srv0"), "dnsmasq ready");
        clients = new UdhcpcClients(client.namespace(), dir.resolve("data"), TestLog.logger("dhcp"));
    }

    @AfterEach
    void stopAll() {
        try {
            if (clients != null) {
                clients.deactivate();
            }
        } finally {
            if (client != null) {
                client.close();
            }
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void anUplinkGetsItsRouter() throws Exception {
        Recorder r = new Recorder();
        clients.start("dhc0", true, r);
        DhcpLease lease = r.await(Optional::isPresent, "lease").orElseThrow();

        assertEquals("dhc0", lease.device());
        assertEquals(24, lease.address().prefix());
        assertTrue(POOL.contains(lease.address().address()), lease::toString);
        assertEquals(Optional.of(SERVER), lease.router());
        assertEquals(List.of(SERVER), lease.dns());
        assertEquals(Optional.of(1400), lease.mtu());
        assertEquals(Duration.ofMinutes(2), lease.leaseTime());
        assertEquals(Optional.of(lease), clients.lease("dhc0"));
        assertTrue(log().contains("3:router"), "router requested");
        assertEquals(List.of(Ipv4Address.parse("10.77.0.123").orElseThrow()), lease.ntp(), "NTP servers (option 42)");

        assertEquals("", client.ip("-4", "-o", "addr", "show", "dev", "dhc0"), "the client configured nothing");
        assertEquals("", client.ip("-4", "route", "show", "table", "all", "type", "unicast"), "and routed nothing");
    }

    @Test
    void otherPortsNeitherAskForNorGetARouter() throws Exception {
        Recorder r = new Recorder();
        clients.start("dhc0", false, r);
        DhcpLease lease = r.await(Optional::isPresent, "lease").orElseThrow();
        assertEquals(Optional.empty(), lease.router());
        assertEquals(List.of(), lease.ntp());
        assertEquals(List.of(SERVER), lease.dns());
        List<String> requested = log().lines().filter(l -> l.contains("requested options:")).toList();
        assertFalse(requested.isEmpty(), log());
        assertTrue(requested.stream().noneMatch(l -> l.contains("router") || l.contains("ntp")), requested::toString);
    }

    @Test
    void stopReleasesTheLease() throws Exception {
        Recorder r = new Recorder();
        clients.start("dhc0", true, r);
        DhcpLease lease = r.await(Optional::isPresent, "lease").orElseThrow();
        String address = lease.address().address().toString();
        awaitTrue(() -> read(dir.resolve("leases")).contains(address), "lease on file at the server");
        // what the port driver does with a lease; udhcpc sends its release from this address
        client.ip("addr", "add", lease.address().toString(), "dev", "dhc0");

        clients.stop("dhc0");
        assertTrue(log().contains("DHCPRELEASE(srv0) " + address), log());
        awaitTrue(() -> !read(dir.resolve("leases")).contains(address), "lease gone from the server's file");
        assertEquals(Optional.empty(), r.await(Optional::isEmpty, "lease ended"));
        assertEquals(Optional.empty(), clients.lease("dhc0"));
        assertEquals(List.of(), client.pids(), "no udhcpc left");
    }

    @Test
    void startKeepsARunningClientUnlessTheSettingsChange() throws Exception {
        Recorder r = new Recorder();
        clients.start("dhc0", true, r);
        r.await(Optional::isPresent, "lease");
        List<Long> before = client.pids();
        assertEquals(1, before.size());

        Recorder second = new Recorder();
        clients.start("dhc0", true, second);
        assertEquals(before, client.pids(), "same settings: same process");

        clients.start("dhc0", false, second);
        assertEquals(Optional.empty(), second.await(Optional::isPresent, "lease without router").get().router());
        List<Long> after = client.pids();
        assertEquals(1, after.size());
        assertNotEquals(before, after, "useRouter changed: a new client");
    }

    @Test
    void deactivateStopsEveryClient() throws Exception {
        Recorder r = new Recorder();
        clients.start("dhc0", false, r);
        r.await(Optional::isPresent, "lease");
        clients.deactivate();
        clients = null;
        assertEquals(List.of(), client.pids());
        assertTrue(Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .noneMatch(t -> t.getName().startsWith("isthmus-dhcp-")), "no client thread left");
    }

    @Test
    void invalidDeviceRunsNothing() {
        org.junit.jupiter.api.Assertions.assertThrows(KernelException.class,
                () -> clients.start("dhc0;reboot", true, new Recorder()));
        assertEquals(List.of(), client.pids());
    }

    private String log() {
        return read(dnsmasqLog);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT.toSeconds() + " s: " + what);
            }
            Thread.sleep(20); // polling interval of a deadline-bounded wait
        }
    }
}
