package io.isthmus.api.multicast;

import java.util.List;

/** A multicast flow forwarded by the gateway, with its packet counter. */
public record MulticastFlow(String group, int port, String from, List<String> to, long packets) {
    public MulticastFlow {
        to = List.copyOf(to);
    }
}
