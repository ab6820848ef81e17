package io.isthmus.multicast;

import io.isthmus.api.config.FirewallConfig;
import io.isthmus.api.config.MulticastConfig;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.SectionContext;
import io.isthmus.api.config.SectionReader;
import io.isthmus.api.firewall.ZoneRefs;
import io.isthmus.api.json.JsonValue;
import java.util.Optional;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/** Reads the {@code multicast} section this bundle owns (the config service asks it for every document). */
@Component(service = SectionReader.class, property = {SectionReader.SECTION + "=" + NetworkDocument.MULTICAST,
        SectionReader.AFTER + "=" + NetworkDocument.FIREWALL})
public class MulticastReader implements SectionReader<MulticastConfig> {
    @Override
    public MulticastConfig read(Optional<JsonValue> section, SectionContext context) {
        // The zones a flow may name are those of /firewall/zones: the firewall's reader has read them already.
        Set<String> zones = context.section(NetworkDocument.FIREWALL, FirewallConfig.class)
                .map(firewall -> firewall.zones().keySet()).orElse(Set.of());
        return new MulticastSection(context.in(), context.ports(), new ZoneRefs(context.in(), zones)).read(section);
    }
}
