package io.isthmus.uplink;

import io.isthmus.api.config.UplinkConfig;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.SectionContext;
import io.isthmus.api.config.SectionReader;
import io.isthmus.api.json.JsonValue;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/** Reads the {@code uplink} section this bundle owns (the config service asks it for every document). */
@Component(service = SectionReader.class, property = {SectionReader.SECTION + "=" + NetworkDocument.UPLINK})
public class UplinkReader implements SectionReader<UplinkConfig> {
    @Override
    public UplinkConfig read(Optional<JsonValue> section, SectionContext context) {
        return new UplinkSection(context.in()).read(section);
    }
}
