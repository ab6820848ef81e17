/** The MQTT channel to the broker: MQTT 3.1.1/5 clients, TLS, the session, the disk-backed outbox (private). */
package io.isthmus.mgmt.transport;
