package io.isthmus.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/** Runs a real Felix framework with a persistent cache, restarted between steps as a reboot would. */
class BundleSyncTest {
    @TempDir
    Path dir;

    private Framework boot(Path cache, LaunchPlan plan, Path indexFile) throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put(Constants.FRAMEWORK_STORAGE, cache.toString());
        p.put(Constants.FRAMEWORK_STORAGE_CLEAN, "none");
        p.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, String.valueOf(plan.highestStartOrder()));
        Framework fw = new FrameworkFactory().newFramework(p);
        fw.init();
        BundleIndex index = BundleIndex.load(indexFile);
        new BundleSync(fw.getBundleContext(), index).sync(plan);
        index.save();
        fw.start();
        return fw;
    }

    private static void stop(Framework fw) throws Exception {
        fw.stop();
        fw.waitForStop(5000);
    }

    private static Bundle bySymbolicName(Framework fw, String bsn) {
        for (Bundle b : fw.getBundleContext().getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    private LaunchPlan plan(TestDistribution d, String... features) throws Exception {
        d.profile("{\"id\": \"p\", \"features\": [\"" + String.join("\", \"", features) + "\"]}");
        Distribution dist = d.distribution();
        return LaunchPlan.resolve(ProfileFile.read(dist.profile()), dist.features(), dist.repository(), List.of());
    }

    @Test
    void restartKeepsFieldUpdatesAppliesDistributionUpgradesAndDropsRemovedBundles() throws Exception {
        TestDistribution d = new TestDistribution(dir.resolve("dist"));
        d.bundle("org.example", "a", "1", "org.example.a", "1.0.0");
        d.bundle("org.example", "b", "1", "org.example.b", "1.0.0");
        d.feature("f", "{\"id\": \"x:f:1\", \"bundles\": [\"org.example:a:1\", \"org.example:b:1\"]}");
        Path cache = dir.resolve("state/cache");
        Path index = dir.resolve("state/launcher/bundles.json");

        Framework fw = boot(cache, plan(d, "f"), index);
        assertEquals(Bundle.ACTIVE, bySymbolicName(fw, "org.example.a").getState());
        long idOfA = bySymbolicName(fw, "org.example.a").getBundleId();
        // a field update of b (what the deploy bundle does): the framework gets a newer jar of b
        Path fieldJar = new TestDistribution(dir.resolve("field")).bundle("org.example", "b", "1", "org.example.b",
                "1.5.0");
        try (InputStream in = Files.newInputStream(fieldJar)) {
            bySymbolicName(fw, "org.example.b").update(in);
        }
        stop(fw);

        // reboot, same distribution: the field update survives, nothing reinstalled
        fw = boot(cache, plan(d, "f"), index);
        assertEquals("1.5.0", bySymbolicName(fw, "org.example.b").getVersion().toString());
        assertEquals(idOfA, bySymbolicName(fw, "org.example.a").getBundleId());
        stop(fw);

        // distribution upgrade: a moves to 2.0.0, b is dropped from the feature
        d.bundle("org.example", "a", "2", "org.example.a", "2.0.0");
        d.feature("f", "{\"id\": \"x:f:2\", \"bundles\": [\"org.example:a:2\"]}");
        fw = boot(cache, plan(d, "f"), index);
        Bundle a = bySymbolicName(fw, "org.example.a");
        assertEquals("2.0.0", a.getVersion().toString());
        assertEquals(idOfA, a.getBundleId(), "updated in place: same bundle id, same data area");
        assertEquals(Bundle.ACTIVE, a.getState());
        assertNull(bySymbolicName(fw, "org.example.b"), "dropped bundle uninstalled");
        stop(fw);
    }

    @Test
    void bundlesInstalledByOthersAreLeftAlone() throws Exception {
        TestDistribution d = new TestDistribution(dir.resolve("dist"));
        d.bundle("org.example", "a", "1", "org.example.a", "1.0.0");
        d.feature("f", "{\"id\": \"x:f:1\", \"bundles\": [\"org.example:a:1\"]}");
        Path cache = dir.resolve("state/cache");
        Path index = dir.resolve("state/launcher/bundles.json");
        Framework fw = boot(cache, plan(d, "f"), index);
        Path other = new TestDistribution(dir.resolve("field")).bundle("org.example", "z", "1", "org.example.z", "1");
        try (InputStream in = Files.newInputStream(other)) {
            fw.getBundleContext().installBundle("field:org.example.z", in);
        }
        stop(fw);
        fw = boot(cache, plan(d, "f"), index);
        assertNotNull(bySymbolicName(fw, "org.example.z"));
        stop(fw);
    }
}
