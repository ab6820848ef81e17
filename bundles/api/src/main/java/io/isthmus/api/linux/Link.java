package io.isthmus.api.linux;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A network interface as the kernel reports it ({@code ip -j -s link}).
 *
 * @param adminUp  IFF_UP: someone set it up
 * @param carrier  IFF_LOWER_UP: the cable (or peer) is there
 * @param operState kernel operstate, e.g. UP, DOWN, LOWERLAYERDOWN, UNKNOWN
 */
@ProviderType
public record Link(String name, int index, boolean adminUp, boolean carrier, String operState, String mac, int mtu,
        long rxBytes, long txBytes) {
}
