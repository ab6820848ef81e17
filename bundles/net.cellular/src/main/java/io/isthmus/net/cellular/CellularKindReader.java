package io.isthmus.net.cellular;

import io.isthmus.api.config.PortKindReader;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * Declares the {@code cellular} port kind to the config service (default cost 100) and reads the {@code cellular} object of
 * a cellular port: while this bundle runs, ports may be of this kind and carry it. Kept as plain values; their rules
 * are checked by {@link CellularValidator} once the whole document has been read.
 */
@Component(service = PortKindReader.class, property = PortKindReader.KIND + "=cellular")
public class CellularKindReader implements PortKindReader {
    /** A port of this kind without a cost of its own (document or profile) costs this. */
    static final int DEFAULT_COST = 100;

    @Override
    public int defaultCost() {
        return DEFAULT_COST;
    }

    @Override
    public boolean hasSettings() {
        return true;
    }

    @Override
    public Optional<Object> read(JsonValue settings, JsonReader in) {
        return in.object(settings).map(JsonValue::plain);
    }
}
