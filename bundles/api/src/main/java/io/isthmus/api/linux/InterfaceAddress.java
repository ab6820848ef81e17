package io.isthmus.api.linux;

import io.isthmus.api.net.Ipv4Cidr;

/** An IPv4 address on an interface. */
public record InterfaceAddress(String device, Ipv4Cidr address) {
}
