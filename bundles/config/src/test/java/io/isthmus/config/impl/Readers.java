package io.isthmus.config.impl;

import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.SectionReader;
import io.isthmus.config.impl.Whiteboard.NamedReader;
import io.isthmus.firewall.FirewallReader;
import io.isthmus.mgmt.ManagementReader;
import io.isthmus.multicast.MulticastReader;
import io.isthmus.uplink.UplinkReader;
import java.util.List;
import java.util.Map;

/**
 * The real section readers of the capability bundles (test dependencies of this module), registered as a gateway
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
        return whiteboard;
    }

    static List<NamedReader> all() {
        return register(new Whiteboard()).readers().readers();
    }

    /** A parser with every capability's reader, as the config service has on a gateway. */
    static DocumentParser parser(DeviceProfile profile) {
        return new DocumentParser(profile, all());
    }
}
