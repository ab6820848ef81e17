package io.isthmus.api.linux;

import io.isthmus.api.net.Ipv4Address;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One path of a multipath route ({@code nexthop via GATEWAY dev DEVICE weight WEIGHT}).
 *
 * @param weight 1..256: the share of new flows this path gets, relative to the others
 */
@ProviderType
public record Nexthop(Ipv4Address gateway, String device, int weight) {
}
