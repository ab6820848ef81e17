package io.isthmus.api.net;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The driver a port wants, by the kind's id ({@code ethernet}, {@code wifi}, {@code cellular}, or the kind a further
 * driver bundle brings). Open: a kind is installed while a driver registers its
 * {@link io.isthmus.api.config.PortKindReader}, which also gives the kind's default cost; compare kinds with
 * {@link #equals}, never {@code ==}.
 */
@ProviderType
public record PortKind(String id) {
    // Before the constants: they are checked against it as they are made.
    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    public static final PortKind ETHERNET = new PortKind("ethernet");
    public static final PortKind WIFI = new PortKind("wifi");
    public static final PortKind CELLULAR = new PortKind("cellular");

    /** @throws IllegalArgumentException for an id that is not 1 to 32 of a-z 0-9 _ -, starting with a letter */
    public PortKind {
        if (!ID.matcher(Objects.requireNonNull(id, "id")).matches()) {
            throw new IllegalArgumentException("not a port kind id: " + id);
        }
    }

    /** The kind of that id, if the id is well-formed; whether a driver of it is installed is the config service's. */
    public static Optional<PortKind> of(String id) {
        return id != null && ID.matcher(id).matches() ? Optional.of(new PortKind(id)) : Optional.empty();
    }

    @Override
    public String toString() {
        return id;
    }
}
