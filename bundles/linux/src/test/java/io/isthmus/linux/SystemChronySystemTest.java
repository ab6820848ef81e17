package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.TimeStatus;
import io.isthmus.api.linux.TimeSync;
import io.isthmus.api.net.Ipv4Cidr;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installed gateway's time: a real chronyd started with exactly the directives of the package's
 * isthmus-chrony.service (its run and state directories moved into a temporary one), in a network namespace, driven
 * by ChronyTimeKeeper over its command socket. SAFETY: the machine's clock is not namespaced, so this chronyd runs
 * with -x (never touches the clock) and -u root instead of -u isthmus; its servers are loopback addresses that
 * answer nothing.
 */
class SystemChronySystemTest {
    static final Path UNIT = Path.of("../../distribution/src/deb/files/isthmus-chrony.service");
    static final TimeSync ONE = new TimeSync(List.of("127.0.0.11", "127.0.0.12"),
            List.of(Ipv4Cidr.parse("10.20.0.1/24").orElseThrow()));
    static final TimeSync OTHER = new TimeSync(List.of("127.0.0.13"), List.of());

    @TempDir
    Path dir;
    private TestNamespace ns;
    private Path run;
    private Path socket;

    @BeforeEach
    void lab() throws Exception {
        TestNamespace.assumeRoot();
        assumeTrue(ProcessRunner.find("chronyd").isPresent(), "system test skipped: needs chrony");
        ns = TestNamespace.create();
        run = Files.createDirectories(dir.resolve("run"));
        Files.setPosixFilePermissions(run, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwx---"));
        Files.createDirectories(dir.resolve("lib"));
        socket = run.resolve("chronyd.sock");
    }

    @AfterEach
    void cleanUp() {
        if (ns != null) {
            ns.close();
        }
    }

    /** The unit's chronyd, -x added and -u root; returns once its command socket is there. */
    private void startUnitsChronyd() throws Exception {
        String unit = Files.readString(UNIT);
        String exec = unit.lines().filter(l -> l.startsWith("ExecStart=!/usr/sbin/chronyd ")).findFirst()
                .orElseThrow(() -> new AssertionError("no ExecStart=!/usr/sbin/chronyd in " + UNIT));
        List<String> argv = new ArrayList<>(List.of("chronyd", "-x", "-u", "root"));
        assertTrue(exec.contains(" -d ") && exec.contains(" -u isthmus "), exec);
        Matcher quoted = Pattern.compile("\"([^\"]*)\"").matcher(exec);
        while (quoted.find()) {
            argv.add(quoted.group(1).replace("/run/isthmus-chrony", run.toString())
                    .replace("/var/lib/isthmus-chrony", dir.resolve("lib").toString()));
        }
        assertTrue(argv.contains("bindcmdaddress " + socket), argv.toString());
        argv.add(1, "-d");
        ns.start(dir.resolve("chronyd.log"), argv.toArray(String[]::new));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.exists(socket) && System.nanoTime() < deadline) {
            Thread.sleep(20); // polling for the daemon's command socket
        }
        assertTrue(Files.exists(socket), Files.readString(dir.resolve("chronyd.log")));
    }

    private ChronyTimeKeeper keeper(Optional<Path> systemSocket) {
        return new ChronyTimeKeeper(new ProcessRunner(ns.namespace(), Duration.ofSeconds(10)), dir.resolve("data"),
                dir.resolve("state"), false, TestLog.logger("t"), Optional.empty(), systemSocket);
    }

    private List<String> sources(TimeStatus s) {
        return s.sources().stream().map(TimeStatus.Source::address).toList();
    }

    private String chronycSources() {
        return ns.exec("chronyc", "-h", socket.toString(), "-c", "-n", "sources").strip();
    }

    private boolean servesNtp() {
        return ns.exec("ss", "-Huln", "sport", "= :123").contains(":123");
    }

    @Test
    void theSystemsChronydGetsTheServersAndSubnetsOverItsSocket() throws Exception {
        startUnitsChronyd();
        ChronyTimeKeeper keeper = keeper(Optional.of(socket));
        assertFalse(servesNtp(), "serves nobody before the gateway says so");

        keeper.keep(Optional.of(ONE));
        TimeStatus status = keeper.timeStatus();
        assertTrue(status.running(), status.toString());
        assertEquals(List.of("127.0.0.11", "127.0.0.12"), sources(status));
        assertTrue(servesNtp(), "allow 10.20.0.0/24 opened the NTP port");
        assertTrue(keeper.status().running() && keeper.status().wanted(), keeper.status().toString());
        assertTrue(Files.readString(run.resolve(SystemChrony.ALLOWED)).contains("allow 10.20.0.0/24"));
        assertEquals(1, ns.pids().stream().filter(p -> ProcessHandle.of(p).flatMap(h -> h.info().command())
                .filter(c -> c.endsWith("chronyd")).isPresent()).count(), "no chronyd of its own");

        keeper.keep(Optional.of(OTHER));
        assertEquals(List.of("127.0.0.13"), sources(keeper.timeStatus()));
        assertFalse(servesNtp(), "serves nobody once no port is served");

        keeper.keep(Optional.empty());
        assertEquals("", chronycSources(), "no source left");
        assertFalse(keeper.status().wanted());
        assertFalse(Files.readString(run.resolve(SystemChrony.SOURCES)).contains("server"));
    }

    /** A crash-restart of the unit reads the servers and subnets the gateway last wrote. */
    @Test
    void aRestartedDaemonReadsWhatTheGatewayLastWrote() throws Exception {
        startUnitsChronyd();
        keeper(Optional.of(socket)).keep(Optional.of(ONE));
        ns.close();
        ns = TestNamespace.create();
        Files.deleteIfExists(socket);
        Files.deleteIfExists(run.resolve("chronyd.pid"));
        startUnitsChronyd();
        String sources = chronycSources();
        assertTrue(sources.contains(",127.0.0.11,") && sources.contains(",127.0.0.12,"), sources);
        assertTrue(servesNtp(), "still serves 10.20.0.0/24");
    }

    @Test
    void aDaemonThatIsNotThereFailsTheChangeAndNothingKeptNeedsNone() throws Exception {
        ChronyTimeKeeper keeper = keeper(Optional.of(socket));
        keeper.keep(Optional.empty()); // a document without time, the unit not running
        KernelException e = assertThrows(KernelException.class, () -> keeper.keep(Optional.of(ONE)));
        assertTrue(e.getMessage().startsWith("chrony: the system's chronyd does not answer on " + socket
                + " (is isthmus-chrony.service running?)"), e.getMessage());
        assertFalse(keeper.status().running());
        assertEquals(Optional.empty(), keeper.kept());

        ChronyTimeKeeper nowhere = keeper(Optional.of(dir.resolve("absent/chronyd.sock")));
        nowhere.keep(Optional.empty());
        assertThrows(KernelException.class, () -> nowhere.keep(Optional.of(ONE)));
    }
}
