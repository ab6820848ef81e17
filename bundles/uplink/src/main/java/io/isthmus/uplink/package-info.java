/** Uplink failover with cost rules. Private implementation, nothing exported. */
package io.isthmus.uplink;
