package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The parent-death signal of long-lived children, with the real kernel and {@code sleep} (no root needed). The
 * kernel sends it when the <em>thread</em> that forked the child ends, which is what a killed JVM amounts to, and
 * also what a Java thread ending does: so a supervised child must be forked by its supervisor's own thread.
 */
@Timeout(30)
class ParentDeathSignalTest {
    final ProcessRunner runner = new ProcessRunner(Namespace.NONE, Duration.ofSeconds(10));

    @BeforeEach
    void needsSetpriv() {
        assumeTrue(ProcessRunner.find("setpriv").isPresent(), "util-linux setpriv");
    }

    @Test
    void aLongLivedChildDiesWithTheThreadThatStartedIt() throws Exception {
        AtomicReference<Process> child = new AtomicReference<>();
        Thread starter = new Thread(() -> {
            try {
                Process p = runner.startLongLived("sleep", List.of("600"));
                child.set(p);
                // setpriv asks for the signal before it execs sleep: a thread that ended before that (a loaded
                // machine) would leave no parent to die, which the sweep at the next start is for, not this test
                java.nio.file.Path comm = java.nio.file.Path.of("/proc", String.valueOf(p.pid()), "comm");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!java.nio.file.Files.readString(comm).strip().equals("sleep") && System.nanoTime() < deadline) {
                    Thread.sleep(5); // polling the child's own name, not waiting for an effect
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        starter.start();
        starter.join();
        try {
            assertTrue(child.get().waitFor(5, TimeUnit.SECONDS), "killed as its parent thread ended");
        } finally {
            child.get().destroyForcibly();
        }
    }

    @Test
    void aSupervisedChildLivesAsLongAsItsSupervisorNotTheThreadThatCalledStart() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        SupervisedProcess supervised = new SupervisedProcess("isthmus-test-sleep", runner, "sleep", List.of("600"),
                new SupervisedProcess.Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5)),
                new SupervisedProcess.Handler() {
                    @Override
                    public void started() {
                        started.countDown();
                    }

                    @Override
                    public void line(String line) {
                    }

                    @Override
                    public void ended() {
                    }
                }, TestLog.logger("supervised"));
        Thread activator = new Thread(supervised::start); // as an SCR thread activating a component, then gone
        activator.start();
        activator.join();
        try {
            assertTrue(started.await(5, TimeUnit.SECONDS));
            Process child = supervised.process().orElseThrow();
            // the signal comes at once when the parent thread ends: half a second without it is proof enough
            assertFalse(child.waitFor(500, TimeUnit.MILLISECONDS), "still running after its activator ended");
            supervised.stop(Duration.ofSeconds(2));
            assertFalse(child.isAlive());
        } finally {
            supervised.stop(Duration.ofSeconds(2));
        }
    }
}
