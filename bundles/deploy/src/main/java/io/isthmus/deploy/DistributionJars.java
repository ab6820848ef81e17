package io.isthmus.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isthmus.api.json.StrictJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.osgi.framework.BundleContext;

/**
 * The distribution's own jar of a bundle it installed (location {@code isthmus:<group>:<artifact>}): found in the
 * distribution's {@code system/} repository and matched by the hash the launcher recorded when it installed it
 * ({@code <state>/launcher/bundles.json}). The store keeps a copy as the version a first field update returns to.
 */
final class DistributionJars {
    static final String LOCATION_PREFIX = "isthmus:";

    private DistributionJars() {
    }

    static Optional<Path> find(BundleContext context, String location) throws IOException {
        String home = context.getProperty("isthmus.home");
        if (home == null || !location.startsWith(LOCATION_PREFIX)) {
            return Optional.empty();
        }
        String[] parts = location.substring(LOCATION_PREFIX.length()).split(":");
        if (parts.length < 2) {
            return Optional.empty();
        }
        Path dir = Path.of(home, "system").resolve(parts[0].replace('.', '/')).resolve(parts[1]);
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
        Path index = state.resolve("launcher").resolve("bundles.json");
        try {
            JsonNode n = new ObjectMapper(StrictJson.factory()).readTree(index.toFile()).path("bundles").path(location);
            return n.isTextual() ? Optional.of(n.asText()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
