package io.isthmus.mgmt;

import io.isthmus.api.config.ManagementConfig;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.SectionContext;
import io.isthmus.api.config.SectionReader;
import io.isthmus.api.json.JsonValue;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/** Reads the {@code management} section this bundle owns (the config service asks it for every document). */
@Component(service = SectionReader.class, property = {SectionReader.SECTION + "=" + NetworkDocument.MANAGEMENT})
public class ManagementReader implements SectionReader<ManagementConfig> {
    @Override
    public ManagementConfig read(Optional<JsonValue> section, SectionContext context) {
        return new ManagementSection(context.in()).read(section);
    }
}
