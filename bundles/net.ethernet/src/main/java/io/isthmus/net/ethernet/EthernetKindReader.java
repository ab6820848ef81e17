package io.isthmus.net.ethernet;

import io.isthmus.api.config.PortKindReader;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * Declares the {@code ethernet} port kind to the config service (default cost 0): while this bundle runs, ports may be
 * of this kind. An Ethernet port has no settings object of its own.
 */
@Component(service = PortKindReader.class, property = PortKindReader.KIND + "=ethernet")
public class EthernetKindReader implements PortKindReader {
    /** A port of this kind without a cost of its own (document or profile) costs this. */
    static final int DEFAULT_COST = 0;

    @Override
    public int defaultCost() {
        return DEFAULT_COST;
    }

    @Override
    public boolean hasSettings() {
        return false;
    }

    @Override
    public Optional<Object> read(JsonValue settings, JsonReader in) {
        return Optional.empty(); // no settings object: hasSettings() is false
    }
}
