package io.isthmus.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An OSGi R8 Feature document (JSON): its bundles (with a {@code start-order} metadata key, default 10),
 * its configurations by PID and its framework properties.
 */
record Feature(String id, String name, List<BundleRef> bundles, Map<String, Map<String, Object>> configurations,
        Map<String, String> frameworkProperties) {

    static final int DEFAULT_START_ORDER = 10;

    @SuppressWarnings("unchecked")
    static Feature read(Path file) throws LaunchException {
        Map<String, Object> json = Json.readObject(file);
        String id = Json.member(json, "id", String.class, null, file);
        if (id == null) {
            throw new LaunchException(file + ": a feature needs an \"id\"");
        }
        List<BundleRef> bundles = new ArrayList<>();
        List<Object> entries = Json.member(json, "bundles", List.class, List.of(), file);
        for (int i = 0; i < entries.size(); i++) {
            Object entry = entries.get(i);
            try {
                if (entry instanceof String s) {
                    bundles.add(BundleRef.parse(s, DEFAULT_START_ORDER));
                } else if (entry instanceof Map<?, ?> m && m.get("id") instanceof String s) {
                    Object order = m.get("start-order");
                    int startOrder = order instanceof Number n ? n.intValue()
                            : order instanceof String o ? Integer.parseInt(o) : DEFAULT_START_ORDER;
                    if (startOrder < 1) {
                        throw new IllegalArgumentException("start-order must be 1 or more");
                    }
                    bundles.add(BundleRef.parse(s, startOrder));
                } else {
                    throw new IllegalArgumentException("expected a bundle id or an object with \"id\"");
                }
            } catch (IllegalArgumentException e) {
                throw new LaunchException(file + ": /bundles/" + i + ": " + e.getMessage());
            }
        }
        Map<String, Map<String, Object>> configurations = new LinkedHashMap<>();
        Map<String, Object> configs = Json.member(json, "configurations", Map.class, Map.of(), file);
        for (Map.Entry<String, Object> e : configs.entrySet()) {
            if (!(e.getValue() instanceof Map)) {
                throw new LaunchException(file + ": /configurations/" + e.getKey() + ": expected an object");
            }
            configurations.put(e.getKey(), (Map<String, Object>) e.getValue());
        }
        Map<String, String> props = new LinkedHashMap<>();
        Map<String, Object> fw = Json.member(json, "framework-properties", Map.class, Map.of(), file);
        fw.forEach((k, v) -> props.put(k, String.valueOf(v)));
        return new Feature(id, Json.member(json, "name", String.class, id, file), List.copyOf(bundles),
                configurations, props);
    }
}
