/**
 * The operating system as the gateway sees it: links, addresses, routes, rules, sysctl, DHCP clients, link
 * events, kernel state events (addresses, routes, rules, nftables), ICMP echo streams, and the gateway's clock
 * (an NTP client that can serve time, and how far the clock can be trusted), and nftables tables replaced
 * atomically, streamed as they are planned. Implemented by the {@code io.isthmus.linux} bundle, the only bundle
 * that runs processes or reads /proc and /sys; everything above it is testable without root.
 */
@Version("1.8.0")
@Export
package io.isthmus.api.linux;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
