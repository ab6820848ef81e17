package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep of children a killed gateway left, with real processes ({@code sleep}, no root needed). The "earlier
 * gateway" is an identity that is not this JVM's: what a gateway after a SIGKILL sees in its records.
 */
@Timeout(30)
class ChildRecordsTest {
    @TempDir
    Path dir;

    final List<Process> started = new ArrayList<>();
    final ChildRecords.Identity earlierGateway = new ChildRecords.Identity(999_999_999L, 12345);
    final ChildRecords.Identity thisGateway = ChildRecords.Identity.of(ProcessHandle.current().pid()).orElseThrow();

    Process sleeper() throws Exception {
        Process p = new ProcessBuilder("sleep", "600").start();
        started.add(p);
        return p;
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void theNextStartEndsWhatAKilledGatewayLeftRunning() throws Exception {
        Process leftover = sleeper();
        new ChildRecords(dir, earlierGateway, TestLog.logger("old")).started("isthmus-link-monitor", leftover,
                "/usr/sbin/ip", List.of("-o", "monitor", "link"));

        ChildRecords now = new ChildRecords(dir, thisGateway, TestLog.logger("new"));
        List<ChildRecords.Record> ended = now.sweep();

        assertEquals(1, ended.size());
        assertEquals("isthmus-link-monitor", ended.get(0).name());
        assertEquals("/usr/sbin/ip -o monitor link", ended.get(0).command());
        assertTrue(leftover.waitFor(5, TimeUnit.SECONDS), "ended");
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "the record goes with it");
        }
    }

    @Test
    void aRecycledPidIsNeverKilled() throws Exception {
        Process other = sleeper(); // someone else's process that got the recorded pid after a reboot
        long realStart = ChildRecords.startTime(other.pid()).orElseThrow();
        Files.writeString(dir.resolve("isthmus-dhcp-eth0.child"), other.pid() + " " + (realStart - 1) + " "
                + earlierGateway.pid() + " " + earlierGateway.startTime() + "\nudhcpc -f -i eth0\n");

        assertEquals(List.of(), new ChildRecords(dir, thisGateway, TestLog.logger("new")).sweep());
        assertFalse(other.waitFor(300, TimeUnit.MILLISECONDS), "still running");
        assertFalse(Files.exists(dir.resolve("isthmus-dhcp-eth0.child")), "the stale record is gone");
    }

    @Test
    void theChildrenOfThisGatewayAreLeftAloneAndForgottenWhenTheyEnd() throws Exception {
        Process ours = sleeper();
        ChildRecords records = new ChildRecords(dir, thisGateway, TestLog.logger("this"));
        records.started("isthmus-smcroute", ours, "smcrouted", List.of("-n"));

        assertEquals(List.of(), new ChildRecords(dir, thisGateway, TestLog.logger("another component")).sweep());
        assertTrue(ours.isAlive());

        ours.destroy();
        ours.waitFor(5, TimeUnit.SECONDS);
        records.ended("isthmus-smcroute", ours);
        assertFalse(Files.exists(dir.resolve("isthmus-smcroute.child")));
    }

    @Test
    void aTornRecordIsDroppedAndKillsNothing() throws Exception {
        Files.writeString(dir.resolve("isthmus-avahi.child"), "12");
        assertEquals(List.of(), new ChildRecords(dir, thisGateway, TestLog.logger("new")).sweep());
        assertFalse(Files.exists(dir.resolve("isthmus-avahi.child")));
    }

    @Test
    void aLongLivedChildGetsAParentDeathSignalWhenSetprivIsThere() {
        List<String> argv = ProcessRunner.withParentDeathSignal(List.of("/usr/sbin/ip", "-o", "monitor", "link"));
        if (ProcessRunner.find("setpriv").isPresent()) {
            assertEquals(List.of("--pdeathsig", "KILL", "--", "/usr/sbin/ip"), argv.subList(1, 5));
        } else {
            assertEquals(List.of("/usr/sbin/ip", "-o", "monitor", "link"), argv);
        }
    }

}
