package io.isthmus.config.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortRole;
import io.isthmus.config.impl.DeviceProfile.PortDefaults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceProfileTest {
    @TempDir
    Path dir;

    private DeviceProfile read(String json) throws IOException {
        return DeviceProfile.read(Files.writeString(dir.resolve("profile.json"), json));
    }

    @Test
    void readsThePortMapAndIgnoresTheRestOfTheProfile() throws IOException {
        DeviceProfile profile = read("{\"name\": \"edge-3\", \"features\": [\"core\"], \"ports\": {"
                + "\"eth0\": {\"kind\": \"ethernet\", \"role\": \"uplink\", \"cost\": 0},"
                + "\"wwan0\": {\"kind\": \"cellular\"}}}");

        assertEquals(new DeviceProfile(Map.of(
                "eth0", new PortDefaults(Optional.of(PortKind.ETHERNET), Optional.of(PortRole.UPLINK), Optional.of(0)),
                "wwan0", new PortDefaults(Optional.of(PortKind.CELLULAR), Optional.empty(), Optional.empty()))), profile);
    }

    @Test
    void aProfileWithoutPortsHasNoDefaults() throws IOException {
        assertEquals(DeviceProfile.empty(), read("{\"features\": []}"));
    }

    @Test
    void aMalformedPortMapIsAnErrorNamingThePort() {
        IOException unknownKind = assertThrows(IOException.class,
                () -> read("{\"ports\": {\"eth0\": {\"kind\": \"FDDI ring\"}}}"));
        IOException badCost = assertThrows(IOException.class, () -> read("{\"ports\": {\"eth0\": {\"cost\": 300}}}"));

        assertTrue(unknownKind.getMessage().endsWith("port eth0: unknown kind \"FDDI ring\""), unknownKind.getMessage());
        assertTrue(badCost.getMessage().contains("cost must be an integer 0..255"), badCost.getMessage());
    }
}
