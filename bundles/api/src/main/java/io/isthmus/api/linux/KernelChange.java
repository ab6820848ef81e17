package io.isthmus.api.linux;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** One write to the kernel. A reconciler computes a list of these as the difference desired − observed. */
@ProviderType
public sealed interface KernelChange {

    record AddAddress(InterfaceAddress address) implements KernelChange {
    }

    record RemoveAddress(InterfaceAddress address) implements KernelChange {
    }

    /** Adds or replaces (same table, destination, metric) a route; it is tagged {@link Route#ISTHMUS_PROTOCOL}. */
    record ReplaceRoute(Route route) implements KernelChange {
    }

    record RemoveRoute(Route route) implements KernelChange {
    }

    record AddRule(Rule rule) implements KernelChange {
    }

    record RemoveRule(Rule rule) implements KernelChange {
    }

    /** Link settings; empty fields are left as they are. */
    record SetLink(String device, Optional<Boolean> up, Optional<Integer> mtu, Optional<String> mac)
            implements KernelChange {
    }

    record SetSysctl(String key, String value) implements KernelChange {
    }
}
