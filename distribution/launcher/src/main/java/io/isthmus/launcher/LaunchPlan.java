package io.isthmus.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one profile runs: the bundles of its features (deduplicated by location; the first feature to
 * name a bundle wins) and their configurations. Every feature and bundle file must exist.
 */
record LaunchPlan(ProfileFile profile, List<Feature> features, List<BundleSpec> bundles,
        Map<String, Map<String, Object>> configurations, Map<String, String> frameworkProperties) {

    /** A bundle to run, with the jar it comes from. */
    record BundleSpec(BundleRef ref, Path jar) {
    }

    /**
     * @param featureDir   folder of feature documents named {@code <name>.json}
     * @param repository   Maven-layout folder that holds the bundle jars
     * @param extraFeatures features asked for on the command line (e.g. shell)
     */
    static LaunchPlan resolve(ProfileFile profile, Path featureDir, Path repository, List<String> extraFeatures)
            throws LaunchException {
        List<Feature> features = new ArrayList<>();
        List<String> names = new ArrayList<>(profile.features());
        extraFeatures.stream().filter(f -> !names.contains(f)).forEach(names::add);
        for (String name : names) {
            Path file = featureDir.resolve(name + ".json");
            if (!Files.isRegularFile(file)) {
                throw new LaunchException(profile.file() + ": feature \"" + name + "\" not found (no " + file + ")");
            }
            features.add(Feature.read(file));
        }
        Map<String, BundleSpec> bundles = new LinkedHashMap<>();
        Map<String, Map<String, Object>> configurations = new LinkedHashMap<>();
        Map<String, String> frameworkProperties = new LinkedHashMap<>();
        for (int i = 0; i < features.size(); i++) {
            Feature feature = features.get(i);
            for (BundleRef ref : feature.bundles()) {
                Path jar = ref.pathIn(repository);
                if (!Files.isRegularFile(jar)) {
                    throw new LaunchException(featureDir.resolve(names.get(i) + ".json") + ": bundle " + ref.id()
                            + " not found (no " + jar + ")");
                }
                bundles.putIfAbsent(ref.location(), new BundleSpec(ref, jar));
            }
            configurations.putAll(feature.configurations());
            frameworkProperties.putAll(feature.frameworkProperties());
        }
        return new LaunchPlan(profile, List.copyOf(features), List.copyOf(bundles.values()), configurations,
                frameworkProperties);
    }

    int highestStartOrder() {
        return bundles.stream().mapToInt(b -> b.ref().startOrder()).max().orElse(1);
    }
}
