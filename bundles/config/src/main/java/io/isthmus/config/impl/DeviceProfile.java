package io.isthmus.config.impl;

import io.isthmus.api.json.JsonInputException;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.json.JsonValueException;
import io.isthmus.api.json.StrictJson;
import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortRole;
import java.io.IOException;
import java.nio.file.Files;
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
        JsonValue root;
        try {
            root = JsonValue.root(StrictJson.read(Files.readAllBytes(file)));
        } catch (JsonInputException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        Optional<JsonValue> portMap = root.get("ports");
        if (portMap.isEmpty()) {
            return empty();
        }
        if (!portMap.get().isObject()) {
            throw new IOException(file + ": \"ports\" must be an object of port name to {kind, role, cost}");
        }
        Map<String, PortDefaults> ports = new LinkedHashMap<>();
        for (JsonValue port : portMap.get().members()) {
            ports.put(port.name(), defaults(file, port));
        }
        return new DeviceProfile(ports);
    }

    private static PortDefaults defaults(Path file, JsonValue port) throws IOException {
        String where = file + ": port " + port.name() + ": ";
        if (!port.isObject()) {
            throw new IOException(where + "expected an object {kind, role, cost}, got " + port.describe());
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
        Optional<JsonValue> cost = port.get("cost");
        try {
            return new PortDefaults(kind, role, cost.map(c -> c.intValue(0, 255)));
        } catch (JsonValueException e) {
            throw new IOException(where + "cost must be an integer 0..255, got " + cost.get().describe());
        }
    }

    /** A string member; any other value as its JSON text, so that it shows in the "unknown" error. */
    private static Optional<String> text(JsonValue port, String key) {
        return port.get(key).map(v -> v.isString() ? v.string() : v.describe());
    }
}
