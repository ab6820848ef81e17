package io.isthmus.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A device profile: which features run, the hardware port map, the default network document and the
 * JVM options. See device-profiles/ in the source tree.
 */
record DeviceProfile(String id, String description, List<String> features, Map<String, Object> ports,
        Map<String, Object> network, List<String> jvmOptions, Path file) {

    @SuppressWarnings("unchecked")
    static DeviceProfile read(Path file) throws LaunchException {
        Map<String, Object> json = Json.readObject(file);
        String id = Json.member(json, "id", String.class, null, file);
        if (id == null || !id.matches("[a-z0-9][a-z0-9-]*")) {
            throw new LaunchException(file + ": \"id\" must be a lower-case name like x86-industrial");
        }
        List<String> features = new ArrayList<>();
        for (Object f : Json.member(json, "features", List.class, List.of(), file)) {
            if (!(f instanceof String s) || !s.matches("[a-z0-9][a-z0-9.-]*")) {
                throw new LaunchException(file + ": \"features\" must list feature names like core");
            }
            features.add(s);
        }
        if (features.isEmpty()) {
            throw new LaunchException(file + ": \"features\" is empty");
        }
        Map<String, Object> jvm = Json.member(json, "jvm", Map.class, Map.of(), file);
        List<String> options = new ArrayList<>();
        for (Object o : (List<Object>) jvm.getOrDefault("options", List.of())) {
            options.add(String.valueOf(o));
        }
        return new DeviceProfile(id, Json.member(json, "description", String.class, "", file), List.copyOf(features),
                Json.member(json, "ports", Map.class, Map.of(), file),
                Json.member(json, "network", Map.class, Map.of(), file), List.copyOf(options), file);
    }
}
