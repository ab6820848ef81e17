package io.isthmus.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isthmus.api.json.StrictJson;
import io.isthmus.state.BundleIndexFile;
import io.isthmus.state.BundleLocation;
import io.isthmus.state.StateFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.osgi.framework.BundleContext;

/**
 * The distribution's own jar of a bundle it installed (a {@link BundleLocation}): found in the distribution's
 * {@code system/} repository and matched by the hash the launcher recorded when it installed it
 * ({@link BundleIndexFile}, {@code <state>/launcher/bundles.json}). The store keeps a copy as the version a first
 * field update returns to.
 */
final class DistributionJars {
    private DistributionJars() {
    }

    static Optional<Path> find(BundleContext context, String location) throws IOException {
        String home = context.getProperty("isthmus.home");
        Optional<BundleLocation> parsed = BundleLocation.parse(location);
        if (home == null || parsed.isEmpty()) {
            return Optional.empty();
        }
        Path dir = Path.of(home, "system").resolve(parsed.get().group().replace('.', '/'))
                .resolve(parsed.get().artifact());
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        List<Path> jars;
        try (Stream<Path> s = Files.walk(dir, 2)) {
            jars = s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
        Optional<String> recorded = recordedHash(Deployer.stateDir(context), location);
        for (Path jar : jars) {
            if (recorded.isEmpty() ? jars.size() == 1 : recorded.get().equals(Sha256.of(jar))) {
                return Optional.of(jar);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> recordedHash(Path state, String location) {
        Path index = BundleIndexFile.path(state);
        try {
            Map<String, Object> json = new ObjectMapper(StrictJson.factory()).readValue(index.toFile(),
                    new TypeReference<Map<String, Object>>() {
                    });
            return Optional.ofNullable(BundleIndexFile.fromJson(json).bundles().get(location));
        } catch (IOException | StateFormatException e) {
            return Optional.empty();
        }
    }
}
