package io.isthmus.api.config;

import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: a driver bundle reads the settings object of the ports of its kind ({@code /ports/wlan0/wifi}).
 * Register as a service with the property {@value #KIND} naming the kind, which is also the settings' key in a
 * port. While no reader of a kind is registered, a port carrying that key is refused ("unknown key"), and a port
 * may carry only the key of its own kind. The value read lands in {@link PortConfig#driver()} under the kind's id.
 */
@ConsumerType
public interface PortSettingsReader {
    /** Service property: the port kind whose settings this reads (e.g. {@code wifi}). */
    String KIND = "isthmus.port.kind";

    /**
     * Reads the settings of one port; every error to {@code in} (pointer and reason), never thrown.
     *
     * @param settings the settings' value, its pointer absolute
     * @return the value {@link PortConfig#driver()} carries, or empty when it could not be read (an error recorded)
     */
    Optional<Object> read(JsonValue settings, JsonReader in);
}
