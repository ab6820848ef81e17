package io.isthmus.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchPlanTest {
    @TempDir
    Path dir;
    TestDistribution dist;

    @BeforeEach
    void setUp() throws Exception {
        dist = new TestDistribution(dir);
        dist.bundle("org.example", "a", "1.0.0", "org.example.a", "1.0.0");
        dist.bundle("org.example", "b", "2.0.0", "org.example.b", "2.0.0");
        dist.feature("one", """
                {"id": "f:one:1", "bundles": [{"id": "org.example:a:1.0.0", "start-order": 1}, "org.example:b:2.0.0"],
                 "configurations": {"pid.a": {"k": "v"}}, "framework-properties": {"x": 1}}""");
        dist.feature("two", """
                {"id": "f:two:1", "bundles": [{"id": "org.example:a:1.0.0", "start-order": 7}]}""");
    }

    private LaunchPlan plan(String profileJson) throws Exception {
        dist.profile(profileJson);
        Distribution d = dist.distribution();
        return LaunchPlan.resolve(ProfileFile.read(d.profile()), d.features(), d.repository(), List.of());
    }

    @Test
    void bundlesOfAllFeaturesOnceEachWithStartOrderAndConfigurations() throws Exception {
        LaunchPlan plan = plan("""
                {"id": "p", "features": ["one", "two"]}""");
        assertEquals(List.of("isthmus:org.example:a", "isthmus:org.example:b"),
                plan.bundles().stream().map(b -> b.ref().location()).toList());
        assertEquals(1, plan.bundles().get(0).ref().startOrder(), "first feature naming a bundle wins");
        assertEquals(Feature.DEFAULT_START_ORDER, plan.bundles().get(1).ref().startOrder());
        assertEquals(Feature.DEFAULT_START_ORDER, plan.highestStartOrder());
        assertEquals("v", plan.configurations().get("pid.a").get("k"));
        assertEquals("1", plan.frameworkProperties().get("x"));
    }

    @Test
    void missingFeatureNamesProfileFileAndFeature() {
        LaunchException e = assertThrows(LaunchException.class, () -> plan("""
                {"id": "p", "features": ["one", "nope"]}"""));
        assertTrue(e.getMessage().startsWith(dir.resolve("etc/profile.json").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("feature \"nope\" not found"), e.getMessage());
    }

    @Test
    void missingBundleNamesFeatureFileAndBundle() throws Exception {
        dist.feature("broken", """
                {"id": "f:broken:1", "bundles": ["org.example:gone:9.9"]}""");
        LaunchException e = assertThrows(LaunchException.class, () -> plan("""
                {"id": "p", "features": ["broken"]}"""));
        assertTrue(e.getMessage().startsWith(dir.resolve("features/broken.json").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("bundle org.example:gone:9.9 not found"), e.getMessage());
    }

    @Test
    void invalidJsonNamesTheFile() throws Exception {
        dist.feature("bad", "{\"id\": ");
        LaunchException e = assertThrows(LaunchException.class, () -> plan("""
                {"id": "p", "features": ["bad"]}"""));
        assertTrue(e.getMessage().startsWith(dir.resolve("features/bad.json") + ": invalid JSON"), e.getMessage());
    }

    @Test
    void profileWithoutFeaturesIsRejected() {
        LaunchException e = assertThrows(LaunchException.class, () -> plan("""
                {"id": "p", "features": []}"""));
        assertTrue(e.getMessage().contains("\"features\" is empty"), e.getMessage());
    }

    @Test
    void bundleIdsAreCheckedForShape() {
        assertThrows(IllegalArgumentException.class, () -> BundleRef.parse("only:two", 1));
        assertThrows(IllegalArgumentException.class, () -> BundleRef.parse("a:b/../c:1", 1));
        BundleRef ref = BundleRef.parse("g.h:a:jar:cls:1.0", 3);
        assertEquals(Path.of("r/g/h/a/1.0/a-1.0-cls.jar"), ref.pathIn(Path.of("r")));
    }
}
