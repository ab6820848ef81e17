/** The gateway's own MQTT credentials installed over MQTT: staged, tried, committed or discarded. */
package io.isthmus.mgmt.credentials;
