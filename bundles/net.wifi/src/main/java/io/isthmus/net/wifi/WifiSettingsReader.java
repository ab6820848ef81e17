package io.isthmus.net.wifi;

import io.isthmus.api.config.PortSettingsReader;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * Reads the {@code wifi} object of a wifi port for the config service: while this bundle runs, ports may carry
 * it. Kept as plain values; their rules are checked by {@link WifiValidator} once the whole document has been read.
 */
@Component(service = PortSettingsReader.class, property = PortSettingsReader.KIND + "=wifi")
public class WifiSettingsReader implements PortSettingsReader {
    @Override
    public Optional<Object> read(JsonValue settings, JsonReader in) {
        return in.object(settings).map(JsonValue::plain);
    }
}
