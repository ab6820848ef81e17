package io.isthmus.itests;

import static org.junit.Assume.assumeTrue;

import org.junit.rules.ExternalResource;

/**
 * A lab (lab.sh) with Mosquitto on its internet and this JVM linked in as an operator, for a whole test class:
 * {@code @ClassRule}. Without root the class is skipped; after it, the broker and the lab are always removed.
 */
final class BrokerLab extends ExternalResource {
    private Lab lab;
    private MqttLab mqtt;

    Lab lab() {
        return lab;
    }

    MqttLab mqtt() {
        return mqtt;
    }

    @Override
    protected void before() throws Throwable {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        lab = Lab.up();
        mqtt = MqttLab.attach(lab);
        mqtt.startBroker();
    }

    @Override
    protected void after() {
        try {
            if (mqtt != null) {
                mqtt.close();
            }
            if (lab != null) {
                lab.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("lab teardown", e);
        }
    }
}
