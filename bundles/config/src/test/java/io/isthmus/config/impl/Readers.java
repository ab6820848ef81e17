package io.isthmus.config.impl;

import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.SectionReader;
import io.isthmus.api.config.PortKindReader;
import io.isthmus.config.impl.Whiteboard.ReaderSet;
import io.isthmus.firewall.FirewallReader;
import io.isthmus.mgmt.ManagementReader;
import io.isthmus.multicast.MulticastReader;
import io.isthmus.net.cellular.CellularKindReader;
import io.isthmus.net.ethernet.EthernetKindReader;
import io.isthmus.net.wifi.WifiKindReader;
import io.isthmus.uplink.UplinkReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real section readers of the capability bundles and the drivers' port kinds (test dependencies of
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
        whiteboard.addKindReader(new EthernetKindReader(), Map.of(PortKindReader.KIND, "ethernet"));
        whiteboard.addKindReader(new WifiKindReader(), Map.of(PortKindReader.KIND, "wifi"));
        whiteboard.addKindReader(new CellularKindReader(), Map.of(PortKindReader.KIND, "cellular"));
        return whiteboard;
    }

    static ReaderSet all() {
        return register(new Whiteboard()).readers();
    }

    /** Every reader but those of the sections and kinds named. */
    static ReaderSet without(String... left) {
        List<String> out = List.of(left);
        ReaderSet all = all();
        Map<String, PortKindReader> kinds = new LinkedHashMap<>(all.kinds());
        kinds.keySet().removeAll(out);
        return new ReaderSet(all.version(), all.readers().stream().filter(r -> !out.contains(r.section())).toList(),
                kinds);
    }

    /** A parser with every capability's reader, as the config service has on a gateway. */
    static DocumentParser parser(DeviceProfile profile) {
        return new DocumentParser(profile, all());
    }
}
