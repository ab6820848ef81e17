package io.isthmus.launcher;

import io.isthmus.api.json.JsonValue;
import io.isthmus.api.json.JsonValueException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A device profile: which features run, the hardware port map, the default network document and the
 * JVM options. See device-profiles/ in the source tree.
 */
record ProfileFile(String id, String description, List<String> features, Map<String, Object> ports,
        Map<String, Object> network, List<String> jvmOptions, Path file) {

    static ProfileFile read(Path file) throws LaunchException {
        JsonValue json = JsonFiles.read(file);
        try {
            String id = json.optional("id").map(JsonValue::string).orElse("");
            if (!id.matches("[a-z0-9][a-z0-9-]*")) {
                throw new LaunchException(file + ": \"id\" must be a lower-case name like x86-industrial");
            }
            List<String> features = new ArrayList<>();
            for (JsonValue f : json.optional("features").map(JsonValue::array).orElse(List.of())) {
                if (!(f.plain() instanceof String s) || !s.matches("[a-z0-9][a-z0-9.-]*")) {
                    throw new LaunchException(file + ": \"features\" must list feature names like core");
                }
                features.add(s);
            }
            if (features.isEmpty()) {
                throw new LaunchException(file + ": \"features\" is empty");
            }
            List<String> options = json.optional("jvm").map(JsonValue::object).flatMap(j -> j.optional("options"))
                    .map(o -> o.list(e -> String.valueOf(e.plain()))).orElse(List.of());
            return new ProfileFile(id, json.optional("description").map(JsonValue::string).orElse(""),
                    List.copyOf(features), json.optional("ports").map(JsonValue::plainObject).orElse(Map.of()),
                    json.optional("network").map(JsonValue::plainObject).orElse(Map.of()), options, file);
        } catch (JsonValueException e) {
            throw JsonFiles.error(file, e);
        }
    }
}
