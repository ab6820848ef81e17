package io.isthmus.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/**
 * Boot-time recovery from the deploy store on a real Felix with a persistent cache, rebooted between steps: the
 * store.json files here are what the deploy bundle writes at each point of a change (docs/deploy.md).
 */
class DeployRecoveryTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    private Framework boot(LaunchPlan plan) throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put(Constants.FRAMEWORK_STORAGE, dir.resolve("state/cache").toString());
        p.put(Constants.FRAMEWORK_STORAGE_CLEAN, "none");
        p.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, String.valueOf(plan.highestStartOrder()));
        Framework fw = new FrameworkFactory().newFramework(p);
        fw.init();
        BundleIndex index = BundleIndex.load(dir.resolve("state/launcher/bundles.json"));
        DeployRecovery recovery = DeployRecovery.load(dir.resolve("state"), new PrintStream(printed, true,
                StandardCharsets.UTF_8));
        recovery.dropUpgraded(plan, index);
        BundleSync sync = new BundleSync(fw.getBundleContext(), index);
        sync.sync(plan);
        if (recovery.restore(fw.getBundleContext(), plan.highestStartOrder()) > 0) {
            sync.refresh();
        }
        index.save();
        fw.start();
        return fw;
    }

    private static void stop(Framework fw) throws Exception {
        fw.stop();
        fw.waitForStop(5000);
    }

    private static Bundle find(Framework fw, String bsn) {
        for (Bundle b : fw.getBundleContext().getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    private LaunchPlan plan(TestDistribution d) throws Exception {
        d.profile("{\"id\": \"p\", \"features\": [\"f\"]}");
        Distribution dist = d.distribution();
        return LaunchPlan.resolve(ProfileFile.read(dist.profile()), dist.features(), dist.repository(), List.of());
    }

    /** Puts a jar into the store like the deploy bundle does; its {sha256, version}. */
    private Map<String, Object> keep(Path jar, String version) throws Exception {
        String sha = Files2.sha256(jar);
        Path target = dir.resolve("state/deploy/jars/" + sha + ".jar");
        Files.createDirectories(target.getParent());
        Files.copy(jar, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Map<String, Object> ref = new LinkedHashMap<>();
        ref.put("sha256", sha);
        ref.put("version", version);
        return ref;
    }

    private void store(Map<String, Object> bundles) throws Exception {
        Files2.writeAtomically(dir.resolve("state/deploy/store.json"), JsonFiles.write(Map.of("format", 1, "bundles",
                bundles)));
    }

    private static Map<String, Object> entry(String bsn, String origin, Map<String, Object> current,
            Map<String, Object> pending) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("bsn", bsn);
        e.put("origin", origin);
        if (current != null) {
            e.put("current", current);
        }
        if (pending != null) {
            e.put("pending", pending);
        }
        return e;
    }

    @Test
    void aPendingUpdateIsUndoneAndAPendingInstallRemovedBeforeAnythingStarts() throws Exception {
        TestDistribution d = new TestDistribution(dir.resolve("dist"));
        Path v1 = d.bundle("org.example", "a", "1", "org.example.a", "1.0.0");
        d.feature("f", "{\"id\": \"x:f:1\", \"bundles\": [\"org.example:a:1\"]}");
        LaunchPlan plan = plan(d);
        Framework fw = boot(plan);
        // the deploy bundle: distribution jar kept as current, pending written, then the framework changed …
        Path v2 = new TestDistribution(dir.resolve("field")).bundle("org.example", "a", "1", "org.example.a", "2.0.0");
        Path z = new TestDistribution(dir.resolve("field2")).bundle("org.example", "z", "1", "org.example.z", "1.0");
        Map<String, Object> bundles = new LinkedHashMap<>();
        bundles.put("isthmus:org.example:a", entry("org.example.a", "distribution", keep(v1, "1.0.0"),
                Map.of("job", "j1", "kind", "update", "target", keep(v2, "2.0.0"))));
        bundles.put("field:org.example.z", entry("org.example.z", "field", null, Map.of("job", "j2", "kind",
                "install", "target", keep(z, "1.0.0"))));
        store(bundles);
        try (InputStream in = Files.newInputStream(v2)) {
            find(fw, "org.example.a").update(in);
        }
        try (InputStream in = Files.newInputStream(z)) {
            fw.getBundleContext().installBundle("field:org.example.z", in);
        }
        // … and the power goes before the commit
        stop(fw);

        fw = boot(plan);
        assertEquals("1.0.0", find(fw, "org.example.a").getVersion().toString(), "the committed jar runs");
        assertEquals(Bundle.ACTIVE, find(fw, "org.example.a").getState());
        assertNull(find(fw, "org.example.z"), "the half-installed field bundle is gone");
        String json = Files.readString(dir.resolve("state/deploy/store.json"));
        assertFalse(json.contains("pending"), json);
        assertFalse(json.contains("org.example.z"), json);
        assertEquals(List.of("isthmus:org.example:a"), DeployRecovery.load(dir.resolve("state"), System.out)
                .locations());
        stop(fw);
    }

    @Test
    void aCommittedFieldUpdateStaysAndALostFieldBundleIsReinstalledFromTheStore() throws Exception {
        TestDistribution d = new TestDistribution(dir.resolve("dist"));
        Path v1 = d.bundle("org.example", "a", "1", "org.example.a", "1.0.0");
        d.feature("f", "{\"id\": \"x:f:1\", \"bundles\": [\"org.example:a:1\"]}");
        LaunchPlan plan = plan(d);
        Framework fw = boot(plan);
        Path v2 = new TestDistribution(dir.resolve("field")).bundle("org.example", "a", "1", "org.example.a", "2.0.0");
        Path z = new TestDistribution(dir.resolve("field2")).bundle("org.example", "z", "1", "org.example.z", "1.0");
        try (InputStream in = Files.newInputStream(v2)) {
            find(fw, "org.example.a").update(in);
        }
        Map<String, Object> bundles = new LinkedHashMap<>();
        Map<String, Object> a = entry("org.example.a", "distribution", keep(v2, "2.0.0"), null);
        a.put("previous", keep(v1, "1.0.0"));
        bundles.put("isthmus:org.example:a", a);
        // committed in the store, but the cache lost it (never written before the cut)
        bundles.put("field:org.example.z", entry("org.example.z", "field", keep(z, "1.0.0"), null));
        store(bundles);
        stop(fw);

        fw = boot(plan);
        assertEquals("2.0.0", find(fw, "org.example.a").getVersion().toString(), "the field update survives");
        assertEquals(Bundle.ACTIVE, find(fw, "org.example.z").getState(), "reinstalled from the store");
        stop(fw);
    }

    @Test
    void aDistributionUpgradeOfAFieldUpdatedBundleWinsAndDropsItsEntry() throws Exception {
        TestDistribution d = new TestDistribution(dir.resolve("dist"));
        d.bundle("org.example", "a", "1", "org.example.a", "1.0.0");
        d.feature("f", "{\"id\": \"x:f:1\", \"bundles\": [\"org.example:a:1\"]}");
        Framework fw = boot(plan(d));
        Path v2 = new TestDistribution(dir.resolve("field")).bundle("org.example", "a", "1", "org.example.a", "2.0.0");
        try (InputStream in = Files.newInputStream(v2)) {
            find(fw, "org.example.a").update(in);
        }
        store(Map.of("isthmus:org.example:a", entry("org.example.a", "distribution", keep(v2, "2.0.0"), null)));
        stop(fw);

        d.bundle("org.example", "a", "3", "org.example.a", "3.0.0");
        d.feature("f", "{\"id\": \"x:f:3\", \"bundles\": [\"org.example:a:3\"]}");
        fw = boot(plan(d));
        assertEquals("3.0.0", find(fw, "org.example.a").getVersion().toString());
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("its field update is dropped"));
        assertEquals(List.of(), DeployRecovery.load(dir.resolve("state"), System.out).locations());
        stop(fw);
    }

    @Test
    void aStoreOfTheWrongShapeIsAnErrorNamingTheFileAndTheValue() throws Exception {
        Map<String, Object> entry = entry("org.example.a", "field", Map.of("sha256", "../../../etc/passwd",
                "version", "1.0.0"), null);
        store(Map.of("field:org.example.a", entry));
        LaunchException e = assertThrows(LaunchException.class, () -> DeployRecovery.load(dir.resolve("state"),
                System.out));
        assertEquals(dir.resolve("state/deploy/store.json") + ": /bundles/field:org.example.a/current/sha256: must be "
                + "64 lowercase hex digits", e.getMessage());
    }
}
