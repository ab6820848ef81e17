/**
 * The MQTT management agent: the DS component that wires the session, the dispatcher and the outbox
 * (private: the bundle exports nothing; no package here carries {@code @Version}, so none is exported).
 */
package io.isthmus.mgmt;
