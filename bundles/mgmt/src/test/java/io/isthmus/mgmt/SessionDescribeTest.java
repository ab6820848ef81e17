package io.isthmus.mgmt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.EOFException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** The reasons an operator reads (status lastError, a rollback's reason) say what happened, in words. */
class SessionDescribeTest {
    @Test
    void pahosUntranslatedReasonCodeZeroBecomesItsCause() {
        var e = new org.eclipse.paho.mqttv5.common.MqttException(new EOFException());
        String described = Session.describe(e);

        assertFalse(described.contains("Untranslated"), described);
        assertEquals("the broker closed the connection (EOFException)", described);
        assertEquals("ConnectException: Connection refused", Session.describe(
                new org.eclipse.paho.client.mqttv3.MqttException(new ConnectException("Connection refused"))));
    }

    @Test
    void aReasonCodeWithoutTextOrCauseSaysSo() {
        String described = Session.describe(new org.eclipse.paho.mqttv5.common.MqttException(0));
        assertFalse(described.contains("Untranslated"), described);
        assertEquals("MQTT client error (Paho RC: 0)", described);
    }

    @Test
    void pahosOwnTextIsKeptWithTheRootCause() {
        var e = new org.eclipse.paho.mqttv5.common.MqttException(32103, new ConnectException("Connection refused"));
        assertEquals("Unable to connect to server (ConnectException: Connection refused)", Session.describe(e));
    }
}
