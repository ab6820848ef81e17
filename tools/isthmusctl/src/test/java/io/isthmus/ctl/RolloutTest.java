package io.isthmus.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The staged rollout's state machine over the real DeployJob and a FAKE fleet (FakeFleet: no broker). */
class RolloutTest {
    @TempDir
    Path dir;
    FakeFleet fleet = new FakeFleet();
    BundleJar jar;
    DeployJob jobs;

    @BeforeEach
    void setUp() throws Exception {
        jar = BundleJar.read(FleetTestJars.bundle(dir, "io.x.probe", "1.1.0", 9_000));
        jobs = new DeployJob(fleet, DeployJob.Progress.NONE);
        for (int i = 1; i <= 8; i++) {
            fleet.add("gw-" + i);
        }
    }

    Rollout.Report run(RolloutPlan plan, Optional<java.net.URI> url, Map<String, DeviceResult> done,
            List<DeviceResult> seen) throws InterruptedException {
        DeployJob.Settings s = new DeployJob.Settings(DeployJob.Action.UPDATE, jar, url, 4096, false, Optional.empty(),
                Duration.ofMillis(200), Duration.ofSeconds(20), Duration.ofSeconds(1), "r1");
        return new Rollout(plan, new Rollout.DeviceAction() {
            @Override
            public DeviceResult run(String d, String phase) throws InterruptedException {
                return jobs.deploy(s, d, phase);
            }

            @Override
            public DeviceResult revert(DeviceResult c) throws InterruptedException {
                return jobs.revert(DeployJob.Action.UPDATE, c, "io.x.probe", Duration.ofSeconds(1), Duration.ofSeconds(5));
            }

            @Override
            public DeviceResult cancel(DeviceResult p) {
                return jobs.cancel(p, "bundle.update");
            }
        }, 2, done, seen::add).run();
    }

    static Map<String, Outcome> outcomes(Rollout.Report r) {
        return r.results().stream().collect(Collectors.toMap(DeviceResult::device, DeviceResult::outcome));
    }

    List<String> all() {
        return List.of("gw-1", "gw-2", "gw-3", "gw-4", "gw-5", "gw-6", "gw-7", "gw-8");
    }

    @Test
    void planPutsCanariesFirstThenWavesOfN() {
        RolloutPlan p = RolloutPlan.of(all(), List.of("gw-5"), 3, new RolloutPlan.FailureBudget(0, Optional.empty()));
        assertEquals(List.of("gw-5"), p.canaries());
        assertEquals(List.of(List.of("gw-1", "gw-2", "gw-3"), List.of("gw-4", "gw-6", "gw-7"), List.of("gw-8")),
                p.waves());
        assertEquals(8, p.size());
        assertThrows(IllegalArgumentException.class, () -> RolloutPlan.of(all(), List.of("gw-99"), 3,
                RolloutPlan.FailureBudget.unlimited()));
    }

    @Test
    void budgetCountsFailuresOrTheirShareOfTheFleet() {
        assertTrue(new RolloutPlan.FailureBudget(0, Optional.empty()).exceeded(1, 10));
        assertTrue(!new RolloutPlan.FailureBudget(1, Optional.empty()).exceeded(1, 10));
        assertTrue(!new RolloutPlan.FailureBudget(Integer.MAX_VALUE, Optional.of(20.0)).exceeded(2, 10));
        assertTrue(new RolloutPlan.FailureBudget(Integer.MAX_VALUE, Optional.of(20.0)).exceeded(3, 10));
    }

    @Test
    void inventoryGroupsAndCanaries() throws Exception {
        Path inv = dir.resolve("inventory.json");
        Files.writeString(inv, "{\"groups\": {\"line-3\": [\"gw-1\", \"gw-2\", \"gw-3\"]}, \"canary\": [\"gw-2\", "
                + "\"gw-9\"]}");
        RolloutPlan.Targets t = RolloutPlan.Targets.resolve(Optional.empty(), List.of(), Optional.of("line-3"),
                Optional.of(inv));
        assertEquals(List.of("gw-1", "gw-2", "gw-3"), t.devices());
        assertEquals(List.of("gw-2"), t.canaries(Optional.empty()), "the inventory's canaries of this group");
        assertEquals(List.of("gw-1", "gw-2"), t.canaries(Optional.of("2")));
        assertEquals(List.of("gw-3"), t.canaries(Optional.of("gw-3")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RolloutPlan.Targets
                .resolve(Optional.empty(), List.of(), Optional.of("line-9"), Optional.of(inv)));
        assertTrue(e.getMessage().contains("/groups/line-9"), e.getMessage());
    }

    @Test
    void allGoodDevicesCommitAndExitZero() throws Exception {
        Rollout.Report r = run(RolloutPlan.of(all(), List.of("gw-1"), 3, new RolloutPlan.FailureBudget(0,
                Optional.empty())), Optional.empty(), Map.of(), new java.util.ArrayList<>());

        assertEquals(8, r.count(Outcome.COMMITTED), r.toString());
        assertEquals(0, r.exitCode());
        assertTrue(fleet.devices.values().stream().allMatch(d -> d.running.equals("1.1.0")));
    }

    @Test
    void aFailureBeyondTheBudgetStopsTheRolloutAndRollsBackTheUpdatedDevices() throws Exception {
        fleet.devices.get("gw-4").unhealthy = Optional.of("bundle io.x.probe not ACTIVE");
        List<DeviceResult> seen = new java.util.ArrayList<>();
        Rollout.Report r = run(RolloutPlan.of(all(), List.of("gw-1"), 3, new RolloutPlan.FailureBudget(0,
                Optional.empty())), Optional.empty(), Map.of(), seen);

        Map<String, Outcome> o = outcomes(r);
        assertEquals(Outcome.ROLLED_BACK, o.get("gw-4"));
        // the canary committed, then was rolled back by the rollout
        assertEquals(Outcome.REVERTED, o.get("gw-1"));
        // gw-4's wave-mates (gw-2, gw-3) run in parallel with it: committed and rolled back, or, when gw-4's thread
        // failed before theirs started (a loaded machine), not started; later waves likewise
        for (String d : List.of("gw-2", "gw-3", "gw-5", "gw-6", "gw-7", "gw-8")) {
            assertTrue(o.get(d) == Outcome.NOT_STARTED || o.get(d) == Outcome.REVERTED, d + " " + o.get(d));
        }
        assertEquals(Outcome.NOT_STARTED, o.get("gw-8"), "the next wave is never started");
        assertTrue(r.stopReason().get().contains("gw-4"), r.stopReason().get());
        assertEquals(11, r.exitCode());
        assertTrue(fleet.devices.values().stream().allMatch(d -> d.running.equals("1.0.0")),
                "every device is back on the old version");
        assertTrue(seen.stream().anyMatch(x -> x.outcome() == Outcome.REVERTED), "the listener saw the reverts");
    }

    @Test
    void aFailedCanaryStopsBeforeAnyWave() throws Exception {
        fleet.devices.get("gw-2").unhealthy = Optional.of("health check failed");
        Rollout.Report r = run(RolloutPlan.of(all(), List.of("gw-1", "gw-2"), 3,
                new RolloutPlan.FailureBudget(5, Optional.empty())), Optional.empty(), Map.of(),
                new java.util.ArrayList<>());

        Map<String, Outcome> o = outcomes(r);
        assertEquals(Outcome.REVERTED, o.get("gw-1"));
        assertEquals(Outcome.ROLLED_BACK, o.get("gw-2"));
        assertEquals(6, r.count(Outcome.NOT_STARTED));
        assertTrue(r.stopReason().get().startsWith("canary gw-2"), r.stopReason().get());
    }

    @Test
    void failuresWithinTheBudgetDoNotStopTheRollout() throws Exception {
        fleet.devices.get("gw-3").unhealthy = Optional.of("broker not reachable");
        Rollout.Report r = run(RolloutPlan.of(all(), List.of(), 4, new RolloutPlan.FailureBudget(1,
                Optional.empty())), Optional.empty(), Map.of(), new java.util.ArrayList<>());

        assertEquals(7, r.count(Outcome.COMMITTED));
        assertEquals(Optional.empty(), r.stopReason());
        assertEquals(10, r.exitCode(), "not every device committed");
    }

    @Test
    void pendingJobsAreWithdrawnWhenTheRolloutStops() throws Exception {
        fleet.devices.get("gw-2").online = false;
        fleet.devices.get("gw-5").unhealthy = Optional.of("bad");
        Rollout.Report r = run(RolloutPlan.of(all(), List.of(), 4, new RolloutPlan.FailureBudget(0,
                Optional.empty())), Optional.of(java.net.URI.create("https://files/p.jar")), Map.of(),
                new java.util.ArrayList<>());

        assertEquals(Outcome.CANCELLED, outcomes(r).get("gw-2"));
        assertTrue(fleet.retained.isEmpty(), "no job left waiting on the broker");
    }

    @Test
    void aSecondRunOfTheSameJournalSkipsCommittedDevices() throws Exception {
        Path file = dir.resolve("r1.json");
        RolloutJournal first = RolloutJournal.open(file, "update", jar, Map.of());
        first.record(new DeviceResult("gw-1", "wave 1", Optional.of("1.0.0"), Optional.of("1.1.0"),
                Outcome.COMMITTED, 10, Optional.empty(), Optional.of("j1")));
        first.record(new DeviceResult("gw-2", "wave 1", Optional.empty(), Optional.empty(), Outcome.SKIPPED, 10,
                Optional.of("offline"), Optional.empty()));

        RolloutJournal again = RolloutJournal.open(file, "update", jar, Map.of());
        Rollout.Report r = run(RolloutPlan.of(List.of("gw-1", "gw-2"), List.of(), 5,
                new RolloutPlan.FailureBudget(0, Optional.empty())), Optional.empty(), again.results(),
                new java.util.ArrayList<>());

        assertEquals(0, r.exitCode());
        assertTrue(fleet.devices.get("gw-1").commands.isEmpty(), "gw-1 was not asked again");
        assertEquals(Outcome.COMMITTED, RolloutJournal.read(file).results().get("gw-1").outcome());
        assertThrows(IllegalArgumentException.class, () -> RolloutJournal.open(file, "update",
                new BundleJar(jar.file(), 1, "0".repeat(64), "io.x.other", "2"), Map.of()),
                "another jar's journal is not continued");
    }
}
