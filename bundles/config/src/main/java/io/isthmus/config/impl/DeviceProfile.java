package io.isthmus.config.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.json.StrictJson;
import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortRole;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The hardware port map of the device profile: the defaults a document port gets for what it leaves
 * out. Everything else in the profile file (features, JVM settings) belongs to the launcher.
 */
record DeviceProfile(Map<String, PortDefaults> ports) {

    /** What the profile says about one port; any part may be missing. */
    record PortDefaults(Optional<PortKind> kind, Optional<PortRole> role, Optional<Integer> cost) {
    }

    DeviceProfile {
        ports = Map.copyOf(ports);
    }

    static DeviceProfile empty() {
        return new DeviceProfile(Map.of());
    }

    Optional<PortDefaults> port(String name) {
        return Optional.ofNullable(ports.get(name));
    }

    /** Reads the profile file; a malformed port map is an error rather than a silently smaller one. */
    static DeviceProfile read(Path file) throws IOException {
        JsonNode root = new ObjectMapper(StrictJson.factory()).readTree(file.toFile());
        JsonNode portMap = root == null ? null : root.get("ports");
        if (portMap == null) {
            return empty();
        }
        if (!portMap.isObject()) {
            throw new IOException(file + ": \"ports\" must be an object of port name to {kind, role, cost}");
        }
        Map<String, PortDefaults> ports = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : portMap.properties()) {
            ports.put(e.getKey(), defaults(file, e.getKey(), e.getValue()));
        }
        return new DeviceProfile(ports);
    }

    private static PortDefaults defaults(Path file, String name, JsonNode port) throws IOException {
        String where = file + ": port " + name + ": ";
        if (!port.isObject()) {
            throw new IOException(where + "expected an object {kind, role, cost}, got " + port);
        }
        Optional<String> kindId = text(port, "kind");
        Optional<String> roleId = text(port, "role");
        Optional<PortKind> kind = kindId.flatMap(PortKind::of);
        Optional<PortRole> role = roleId.flatMap(PortRole::of);
        if (kindId.isPresent() && kind.isEmpty()) {
            throw new IOException(where + "unknown kind " + JsonValue.quote(kindId.get()));
        }
        if (roleId.isPresent() && role.isEmpty()) {
            throw new IOException(where + "unknown role " + JsonValue.quote(roleId.get()));
        }
        JsonNode cost = port.get("cost");
        if (cost != null && !(cost.isInt() && cost.intValue() >= 0 && cost.intValue() <= 255)) {
            throw new IOException(where + "cost must be an integer 0..255, got " + cost);
        }
        return new PortDefaults(kind, role, Optional.ofNullable(cost).map(JsonNode::intValue));
    }

    private static Optional<String> text(JsonNode node, String key) {
        return Optional.ofNullable(node.get(key)).map(n -> n.isTextual() ? n.textValue() : n.toString());
    }
}
