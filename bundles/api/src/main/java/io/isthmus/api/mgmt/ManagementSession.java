package io.isthmus.api.mgmt;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The management agent's MQTT session, for capabilities that must not cut it: a field update that was made
 * while the gateway was managed is committed only if the agent is connected again afterwards (a TCP path to the
 * broker is not enough: an updated agent that cannot speak MQTT would leave the gateway unmanageable).
 */
@ProviderType
public interface ManagementSession {

    /** The document names brokers: the gateway is meant to be managed remotely. */
    boolean enabled();

    /** An MQTT session is up now (the broker accepted the connection). */
    boolean connected();
}
