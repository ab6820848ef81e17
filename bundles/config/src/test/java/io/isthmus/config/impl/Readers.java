package io.isthmus.config.impl;

import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.SectionReader;
import io.isthmus.api.config.PortSettingsReader;
import io.isthmus.config.impl.Whiteboard.ReaderSet;
import io.isthmus.firewall.FirewallReader;
import io.isthmus.mgmt.ManagementReader;
import io.isthmus.multicast.MulticastReader;
import io.isthmus.net.cellular.CellularSettingsReader;
import io.isthmus.net.wifi.WifiSettingsReader;
import io.isthmus.uplink.UplinkReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real section readers of the capability bundles and the drivers' port settings readers (test dependencies of
 * this module), registered as a gateway
 * running them all registers them: whole documents read in these tests are read as on a gateway.
 */
final class Readers {
    private Readers() {
    }

    /** Registers every capability's reader with the properties its DS component declares. */
    static Whiteboard register(Whiteboard whiteboard) {
        whiteboard.addReader(new UplinkReader(), Map.of(SectionReader.SECTION, NetworkDocument.UPLINK));
        whiteboard.addReader(new FirewallReader(), Map.of(SectionReader.SECTION, NetworkDocument.FIREWALL));
        whiteboard.addReader(new MulticastReader(), Map.of(SectionReader.SECTION, NetworkDocument.MULTICAST,
                SectionReader.AFTER, NetworkDocument.FIREWALL));
        whiteboard.addReader(new ManagementReader(), Map.of(SectionReader.SECTION, NetworkDocument.MANAGEMENT));
        whiteboard.addSettingsReader(new WifiSettingsReader(), Map.of(PortSettingsReader.KIND, "wifi"));
        whiteboard.addSettingsReader(new CellularSettingsReader(), Map.of(PortSettingsReader.KIND, "cellular"));
        return whiteboard;
    }

    static ReaderSet all() {
        return register(new Whiteboard()).readers();
    }

    /** Every reader but those of the sections and kinds named. */
    static ReaderSet without(String... left) {
        List<String> out = List.of(left);
        ReaderSet all = all();
        Map<String, PortSettingsReader> settings = new LinkedHashMap<>(all.settings());
        settings.keySet().removeAll(out);
        return new ReaderSet(all.version(), all.readers().stream().filter(r -> !out.contains(r.section())).toList(),
                settings);
    }

    /** A parser with every capability's reader, as the config service has on a gateway. */
    static DocumentParser parser(DeviceProfile profile) {
        return new DocumentParser(profile, all());
    }
}
