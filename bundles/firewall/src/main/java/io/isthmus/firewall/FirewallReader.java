package io.isthmus.firewall;

import io.isthmus.api.config.FirewallConfig;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.SectionContext;
import io.isthmus.api.config.SectionReader;
import io.isthmus.api.json.JsonValue;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/** Reads the {@code firewall} section this bundle owns (the config service asks it for every document). */
@Component(service = SectionReader.class, property = {SectionReader.SECTION + "=" + NetworkDocument.FIREWALL})
public class FirewallReader implements SectionReader<FirewallConfig> {
    @Override
    public FirewallConfig read(Optional<JsonValue> section, SectionContext context) {
        return new FirewallSection(context.in(), context.ports()).read(section);
    }
}
