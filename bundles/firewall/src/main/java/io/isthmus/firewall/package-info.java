/** nftables firewall: zones, conduits, NAT, port forwards. Private implementation, nothing exported. */
package io.isthmus.firewall;
