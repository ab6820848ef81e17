package io.isthmus.net.cellular;

import io.isthmus.api.config.PortSettingsReader;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * Reads the {@code cellular} object of a cellular port for the config service: while this bundle runs, ports may carry
 * it. Kept as plain values; their rules are checked by {@link CellularValidator} once the whole document has been read.
 */
@Component(service = PortSettingsReader.class, property = PortSettingsReader.KIND + "=cellular")
public class CellularSettingsReader implements PortSettingsReader {
    @Override
    public Optional<Object> read(JsonValue settings, JsonReader in) {
        return in.object(settings).map(JsonValue::plain);
    }
}
