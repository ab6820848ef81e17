/** The Ethernet port driver. Private implementation, nothing exported. */
package io.isthmus.net.ethernet;
