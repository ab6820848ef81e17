/** Multi-NIC policy routing. Private implementation, nothing exported. */
package io.isthmus.routing;
