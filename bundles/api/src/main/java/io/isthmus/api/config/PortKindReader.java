package io.isthmus.api.config;

import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: a driver bundle declares the port kind it drives, and reads the settings object of the ports of that
 * kind ({@code /ports/wlan0/wifi}). Register as a service with the property {@value #KIND} naming the kind, which
 * is also the settings' key in a port. While no reader of a kind is registered, a port of that kind is refused
 * ("unknown port kind", listing the installed kinds) and a port carrying its key too ("unknown key"); a port may
 * carry only the key of its own kind. The value read lands in {@link PortConfig#driver()} under the kind's id.
 */
@ConsumerType
public interface PortKindReader {
    /** Service property: the port kind this driver drives (e.g. {@code wifi}), {@link io.isthmus.api.net.PortKind#id()}. */
    String KIND = "isthmus.port.kind";

    /** The cost of a port of this kind when neither the document nor the device profile gives one. */
    int defaultCost();

    /** Whether a port of this kind may carry a settings object under the kind's id (WiFi, cellular; not Ethernet). */
    boolean hasSettings();

    /**
     * Reads the settings of one port (only called when {@link #hasSettings()}); every error to {@code in} (pointer
     * and reason), never thrown.
     *
     * @param settings the settings' value, its pointer absolute
     * @return the value {@link PortConfig#driver()} carries, or empty when it could not be read (an error recorded)
     */
    Optional<Object> read(JsonValue settings, JsonReader in);
}
