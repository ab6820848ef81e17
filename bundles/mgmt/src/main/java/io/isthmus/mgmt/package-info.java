/** The MQTT management agent (private: the bundle exports nothing). */
package io.isthmus.mgmt;
