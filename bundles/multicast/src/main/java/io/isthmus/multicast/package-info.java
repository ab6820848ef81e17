/** OPC UA multicast pass-through: smcroute routes and the mDNS reflector. Private implementation. */
package io.isthmus.multicast;
