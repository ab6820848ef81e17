package io.isthmus.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * What one device profile runs, read the way the launcher reads it (test side, outside the framework): the
 * profile's features from the assembled {@code distribution/target/isthmus-<profile>/}, their bundles (first
 * feature to name an artifact wins) as jars of that distribution's {@code system/} folder, their
 * configurations by PID and their framework properties.
 */
record Distribution(String profile, Path home, List<Bundle> bundles, Map<String, Map<String, Object>> configurations,
        Map<String, String> frameworkProperties, List<String> removed) {

    /** The launcher's default when a feature's bundle entry has no start-order. */
    static final int DEFAULT_START_ORDER = 10;
    static final String ROOT_PROPERTY = "isthmus.root";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One bundle of the profile: Maven coordinates, start level and the jar in the distribution. */
    record Bundle(String groupId, String artifactId, String version, Optional<String> classifier, int startOrder,
            Path jar, boolean fragment) {

        String key() {
            return groupId + ":" + artifactId + classifier.map(c -> ":" + c).orElse("");
        }

        String id() {
            return key() + ":" + version;
        }
    }

    /** The source tree root (parent of itests/): set by the pom, else the working directory's parent. */
    static Path root() {
        String root = System.getProperty(ROOT_PROPERTY);
        return (root != null ? Path.of(root) : Path.of("..")).toAbsolutePath().normalize();
    }

    /** Every device profile of the source tree, by id (file name without .json), sorted. */
    static List<String> profiles() {
        Path dir = root().resolve("device-profiles");
        try (Stream<Path> files = Files.list(dir)) {
            List<String> ids = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - ".json".length())).sorted().toList();
            if (ids.isEmpty()) {
                throw new IllegalStateException(dir + ": no device profiles");
            }
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list device profiles", e);
        }
    }

    /** The assembled distribution of {@code profile}; fails with a hint when it was not built. */
    static Distribution of(String profile) {
        Path home = root().resolve("distribution/target/isthmus-" + profile);
        Path profileFile = home.resolve("etc/profile.json");
        if (!Files.isRegularFile(profileFile)) {
            throw new IllegalStateException(home + " is missing: the distribution module must be built before the"
                    + " integration tests (mvn install -DskipTests -pl distribution -am)");
        }
        JsonNode profileJson = read(profileFile);
        List<String> features = new ArrayList<>();
        profileJson.path("features").forEach(f -> features.add(f.asText()));
        if (features.isEmpty()) {
            throw new IllegalStateException(profileFile + ": no features");
        }
        Map<String, Bundle> bundles = new LinkedHashMap<>();
        Map<String, Map<String, Object>> configurations = new LinkedHashMap<>();
        Map<String, String> frameworkProperties = new LinkedHashMap<>();
        for (String feature : features) {
            Path featureFile = home.resolve("features").resolve(feature + ".json");
            if (!Files.isRegularFile(featureFile)) {
                throw new IllegalStateException(profileFile + ": feature " + feature + " not in the distribution ("
                        + featureFile + ")");
            }
            JsonNode json = read(featureFile);
            for (JsonNode entry : json.path("bundles")) {
                Bundle bundle = bundle(home, featureFile, entry);
                bundles.putIfAbsent(bundle.key(), bundle);
            }
            json.path("configurations").properties().forEach(e -> configurations.put(e.getKey(),
                    configuration(e.getValue())));
            json.path("framework-properties").properties().forEach(e -> frameworkProperties.put(e.getKey(),
                    e.getValue().asText()));
        }
        return new Distribution(profile, home, List.copyOf(bundles.values()), configurations, frameworkProperties,
                List.of());
    }

    /** The same distribution without the bundles whose {@code groupId:artifactId} is given. */
    Distribution without(String... keys) {
        List<Bundle> kept = new ArrayList<>(bundles);
        List<String> gone = new ArrayList<>(removed);
        for (String key : keys) {
            if (!kept.removeIf(b -> b.key().equals(key))) {
                throw new IllegalArgumentException(profile + " has no bundle " + key);
            }
            gone.add(key);
        }
        return new Distribution(profile, home, List.copyOf(kept), configurations, frameworkProperties,
                List.copyOf(gone));
    }

    /** How test names show this run, e.g. {@code x86-industrial} or {@code x86-industrial-without-jackson-databind}. */
    String label() {
        StringBuilder sb = new StringBuilder(profile);
        removed.forEach(key -> sb.append("-without-").append(key.substring(key.indexOf(':') + 1).replace(':', '-')));
        return sb.toString();
    }

    Optional<Bundle> bundle(String key) {
        return bundles.stream().filter(b -> b.key().equals(key)).findFirst();
    }

    int highestStartOrder() {
        return bundles.stream().mapToInt(Bundle::startOrder).max().orElse(1);
    }

    Path profileFile() {
        return home.resolve("etc/profile.json");
    }

    Path defaultDocument() {
        return home.resolve("etc/network.json");
    }

    private static Bundle bundle(Path home, Path featureFile, JsonNode entry) {
        String id = entry.isTextual() ? entry.asText() : entry.path("id").asText(null);
        if (id == null) {
            throw new IllegalStateException(featureFile + ": bundle entry without an id: " + entry);
        }
        int startOrder = entry.has("start-order") ? entry.get("start-order").asInt() : DEFAULT_START_ORDER;
        String[] p = id.split(":", -1);
        if (p.length < 3 || p.length > 5) {
            throw new IllegalStateException(featureFile + ": bundle id " + id + " is not groupId:artifactId:version");
        }
        Optional<String> classifier = p.length == 5 ? Optional.of(p[3]) : Optional.empty();
        String version = p[p.length - 1];
        Path jar = home.resolve("system").resolve(p[0].replace('.', '/')).resolve(p[1]).resolve(version)
                .resolve(p[1] + "-" + version + classifier.map(c -> "-" + c).orElse("") + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(featureFile + ": bundle " + id + " is not in the distribution (" + jar
                    + ")");
        }
        return new Bundle(p[0], p[1], version, classifier, startOrder, jar, isFragment(jar));
    }

    private static boolean isFragment(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest() != null && file.getManifest().getMainAttributes().getValue("Fragment-Host") != null;
        } catch (IOException e) {
            throw new UncheckedIOException(jar + ": cannot read the manifest", e);
        }
    }

    /** JSON values to what Configuration Admin accepts, as the launcher's ConfigurationSeeder converts them. */
    private static Map<String, Object> configuration(JsonNode properties) {
        Map<String, Object> result = new LinkedHashMap<>();
        properties.properties().forEach(e -> result.put(e.getKey(), configValue(e.getValue())));
        return result;
    }

    private static Object configValue(JsonNode v) {
        if (v.isArray()) {
            List<JsonNode> items = new ArrayList<>();
            v.forEach(items::add);
            if (items.stream().allMatch(JsonNode::isTextual)) {
                return items.stream().map(JsonNode::asText).toArray(String[]::new);
            }
            if (items.stream().allMatch(JsonNode::canConvertToLong)) {
                return items.stream().map(JsonNode::asLong).toArray(Long[]::new);
            }
            return items.stream().map(JsonNode::asText).toArray(String[]::new);
        }
        if (v.isObject()) {
            return v.toString();
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isInt()) {
            return v.intValue();
        }
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        return v.asText();
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read JSON", e);
        }
    }
}
