package io.isthmus.launcher;

import io.isthmus.api.json.JsonValue;
import io.isthmus.api.json.JsonValueException;
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

    static Feature read(Path file) throws LaunchException {
        JsonValue json = JsonFiles.read(file);
        try {
            String id = json.optional("id").map(JsonValue::string)
                    .orElseThrow(() -> new LaunchException(file + ": a feature needs an \"id\""));
            List<BundleRef> bundles = new ArrayList<>();
            for (JsonValue entry : json.optional("bundles").map(JsonValue::array).orElse(List.of())) {
                bundles.add(bundle(entry));
            }
            Map<String, Map<String, Object>> configurations = new LinkedHashMap<>();
            for (JsonValue c : json.optional("configurations").map(JsonValue::object).map(JsonValue::members)
                    .orElse(List.of())) {
                configurations.put(c.name(), c.plainObject());
            }
            Map<String, String> props = new LinkedHashMap<>();
            json.optional("framework-properties").map(JsonValue::object).ifPresent(fw -> fw.members()
                    .forEach(p -> props.put(p.name(), String.valueOf(p.plain()))));
            return new Feature(id, json.optional("name").map(JsonValue::string).orElse(id), List.copyOf(bundles),
                    configurations, props);
        } catch (JsonValueException e) {
            throw JsonFiles.error(file, e);
        }
    }

    /** A bundle entry: {@code "g:a:v"} or {@code {"id": "g:a:v", "start-order": n}}. */
    private static BundleRef bundle(JsonValue entry) {
        try {
            if (entry.isString()) {
                return BundleRef.parse(entry.string(), DEFAULT_START_ORDER);
            }
            if (!entry.isObject() || !entry.optional("id").map(JsonValue::isString).orElse(false)) {
                throw entry.error("expected a bundle id or an object with \"id\"");
            }
            Object order = entry.optional("start-order").map(JsonValue::plain).orElse(DEFAULT_START_ORDER);
            int startOrder = order instanceof Number n ? n.intValue()
                    : order instanceof String o ? Integer.parseInt(o) : DEFAULT_START_ORDER;
            if (startOrder < 1) {
                throw entry.error("start-order must be 1 or more");
            }
            return BundleRef.parse(entry.get("id").orElseThrow().string(), startOrder);
        } catch (IllegalArgumentException e) {
            throw entry.error(e.getMessage());
        }
    }
}
