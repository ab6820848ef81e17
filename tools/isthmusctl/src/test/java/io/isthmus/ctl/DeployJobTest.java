package io.isthmus.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI side of the deploy protocol against a fake fleet (see FakeFleet: no broker, no gateway here). */
class DeployJobTest {
    @TempDir
    Path dir;
    FakeFleet fleet = new FakeFleet();
    BundleJar jar;

    @BeforeEach
    void jar() throws Exception {
        jar = BundleJar.read(FleetTestJars.bundle(dir, "io.x.probe", "1.1.0", 20_000));
    }

    DeployJob.Settings inline(int chunk) {
        return new DeployJob.Settings(DeployJob.Action.UPDATE, jar, Optional.empty(), chunk, false, Optional.empty(),
                Duration.ofMillis(300), Duration.ofSeconds(20), Duration.ofSeconds(2), "r1");
    }

    DeployJob.Settings byUrl() {
        return new DeployJob.Settings(DeployJob.Action.UPDATE, jar, Optional.of(URI.create("https://files/p.jar")),
                4096, false, Optional.empty(), Duration.ofMillis(300), Duration.ofSeconds(20), Duration.ofSeconds(2),
                "r1");
    }

    @Test
    void readsNameVersionSizeAndHashOfTheJar() throws Exception {
        assertEquals("io.x.probe", jar.symbolicName());
        assertEquals("1.1.0", jar.version());
        assertEquals(Files.size(jar.file()), jar.size());
        assertEquals(FakeFleet.sha256(Files.readAllBytes(jar.file())), jar.sha256());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BundleJar.read(FleetTestJars.bundle(dir, null, "1", 10)));
        assertTrue(e.getMessage().contains("not an OSGi bundle"), e.getMessage());
    }

    @Test
    void inlineTransferInChunksCommitsWithFromAndToVersion() throws Exception {
        fleet.add("gw-1");
        DeviceResult r = new DeployJob(fleet, DeployJob.Progress.NONE).deploy(inline(4096), "gw-1", "wave 1");

        assertEquals(Outcome.COMMITTED, r.outcome(), r.toString());
        assertEquals(Optional.of("1.0.0"), r.fromVersion());
        assertEquals(Optional.of("1.1.0"), r.toVersion());
        assertEquals(jar.chunks(4096), fleet.devices.get("gw-1").commands.stream()
                .filter("bundle.chunk"::equals).count(), "each chunk once");
    }

    @Test
    void aLostConnectionResumesWithOnlyTheMissingChunks() throws Exception {
        FakeFleet.Device d = fleet.add("gw-1");
        d.dropConnectionAtChunk = 2;
        List<String> states = new java.util.concurrent.CopyOnWriteArrayList<>();
        DeviceResult r = new DeployJob(fleet, (dev, state, p, b, z) -> states.add(state))
                .deploy(inline(4096), "gw-1", "wave 1");

        assertEquals(Outcome.COMMITTED, r.outcome(), r.toString());
        assertEquals(1, fleet.reconnects);
        assertTrue(d.commands.contains("bundle.job"), "asked what is missing: " + d.commands);
        assertTrue(states.contains("resuming"), "the operator sees it: " + states);
        // chunk 2 was lost with the connection: sent twice; no other chunk was sent again
        assertEquals(jar.chunks(4096) + 1, d.commands.stream().filter("bundle.chunk"::equals).count());
    }

    @Test
    void anUnhealthyVersionIsReportedAsRolledBackWithTheGatewaysReason() throws Exception {
        fleet.add("gw-1").unhealthy = Optional.of("component io.x.Probe not satisfied within 30000 ms");
        DeviceResult r = new DeployJob(fleet, DeployJob.Progress.NONE).deploy(inline(8192), "gw-1", "canary");

        assertEquals(Outcome.ROLLED_BACK, r.outcome());
        assertEquals(Optional.of("component io.x.Probe not satisfied within 30000 ms"), r.reason());
        assertEquals("1.0.0", fleet.devices.get("gw-1").running);
    }

    @Test
    void offlineDevicesGetARetainedJobWithUrlAndAreSkippedInline() throws Exception {
        fleet.add("gw-off").online = false;
        DeployJob jobs = new DeployJob(fleet, DeployJob.Progress.NONE);

        DeviceResult skipped = jobs.deploy(inline(4096), "gw-off", "wave 1");
        assertEquals(Outcome.SKIPPED, skipped.outcome());
        assertTrue(fleet.retained.isEmpty());

        DeviceResult pending = jobs.deploy(byUrl(), "gw-off", "wave 1");
        assertEquals(Outcome.PENDING, pending.outcome());
        var retained = Channel.JSON.readTree(fleet.retained.get("gw-off/bundle.update"));
        assertEquals(pending.job().get(), retained.path("job").asText());
        assertEquals(pending.job().get(), retained.path("id").asText(), "the id makes the gateway run it once");
        assertEquals("https://files/p.jar", retained.at("/source/url").asText());
        assertTrue(retained.path("replyTo").asText().startsWith("isthmusctl/"));

        assertEquals(Outcome.PENDING, jobs.refresh(pending, "bundle.update", Duration.ofSeconds(1)).outcome());
        fleet.comeOnline("gw-off");
        DeviceResult after = jobs.refresh(pending, "bundle.update", Duration.ofSeconds(1));
        assertEquals(Outcome.COMMITTED, after.outcome());
        assertFalse(fleet.retained.containsKey("gw-off/bundle.update"), "cleared once the outcome is known");
    }

    @Test
    void aBadRequestIsRejectedWithThePointer() throws Exception {
        fleet.add("gw-1");
        BundleJar bad = new BundleJar(jar.file(), jar.size(), "xyz", jar.symbolicName(), jar.version());
        DeviceResult r = new DeployJob(fleet, DeployJob.Progress.NONE).deploy(new DeployJob.Settings(
                DeployJob.Action.UPDATE, bad, Optional.empty(), 4096, false, Optional.empty(), Duration.ZERO,
                Duration.ofSeconds(5), Duration.ofSeconds(1), "r1"), "gw-1", "wave 1");

        assertEquals(Outcome.REJECTED, r.outcome());
        assertTrue(r.reason().get().contains("at /sha256"), r.reason().get());
    }

    @Test
    void revertRollsACommittedDeviceBack() throws Exception {
        fleet.add("gw-1");
        DeployJob jobs = new DeployJob(fleet, DeployJob.Progress.NONE);
        DeviceResult committed = jobs.deploy(inline(4096), "gw-1", "wave 1");

        DeviceResult reverted = jobs.revert(DeployJob.Action.UPDATE, committed, "io.x.probe", Duration.ofSeconds(1), Duration.ofSeconds(5));
        assertEquals(Outcome.REVERTED, reverted.outcome());
        assertEquals("1.0.0", fleet.devices.get("gw-1").running);
    }

    @Test
    void jobIdsFitTheProtocolAndDifferPerAttempt() {
        String a = DeployJob.jobId("20261126-091512-ab12 (my rollout)", "gw/with spaces-and-a-very-long-name-0123456789");
        assertTrue(a.matches("[A-Za-z0-9._-]{1,64}"), a);
        assertTrue(!a.equals(DeployJob.jobId("20261126-091512-ab12 (my rollout)", "gw/with spaces")));
        assertTrue(!DeployJob.jobId("r", "gw-1").equals(DeployJob.jobId("r", "gw-1")), "a new id per attempt");
    }

    @Test
    void theUndoOfAnInstallIsAnUninstall() throws Exception {
        FakeFleet.Device d = fleet.add("gw-1");
        d.running = null; // the bundle is new there
        DeployJob jobs = new DeployJob(fleet, DeployJob.Progress.NONE);
        DeployJob.Settings install = new DeployJob.Settings(DeployJob.Action.INSTALL, jar, Optional.empty(), 4096,
                false, Optional.empty(), Duration.ZERO, Duration.ofSeconds(5), Duration.ofSeconds(1), "r1");
        DeviceResult committed = jobs.deploy(install, "gw-1", "wave 1");
        assertEquals(Outcome.COMMITTED, committed.outcome(), committed.toString());
        assertTrue(d.commands.contains("bundle.install"), d.commands.toString());

        DeviceResult undone = jobs.revert(DeployJob.Action.INSTALL, committed, "io.x.probe", Duration.ofSeconds(1),
                Duration.ofSeconds(5));
        assertEquals(Outcome.REVERTED, undone.outcome(), undone.toString());
        assertTrue(d.commands.contains("bundle.uninstall") && !d.commands.contains("bundle.rollback"));
        assertEquals(null, d.running);
    }
}
