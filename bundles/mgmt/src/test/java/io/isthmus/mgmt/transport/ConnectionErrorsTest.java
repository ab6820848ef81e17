package io.isthmus.mgmt.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.EOFException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** The reasons an operator reads (status lastError, a rollback's reason) say what happened, in words. */
class ConnectionErrorsTest {
    @Test
    void pahosUntranslatedReasonCodeZeroBecomesItsCause() {
        var e = new org.eclipse.paho.mqttv5.common.MqttException(new EOFException());
        String described = ConnectionErrors.describe(e);

        assertFalse(described.contains("Untranslated"), described);
        assertEquals("the broker closed the connection (EOFException)", described);
        assertEquals("ConnectException: Connection refused", ConnectionErrors.describe(
                new org.eclipse.paho.client.mqttv3.MqttException(new ConnectException("Connection refused"))));
    }

    @Test
    void aReasonCodeWithoutTextOrCauseSaysSo() {
        String described = ConnectionErrors.describe(new org.eclipse.paho.mqttv5.common.MqttException(0));
        assertFalse(described.contains("Untranslated"), described);
        assertEquals("MQTT client error (Paho RC: 0)", described);
    }

    @Test
    void pahosOwnTextIsKeptWithTheRootCause() {
        var e = new org.eclipse.paho.mqttv5.common.MqttException(32103, new ConnectException("Connection refused"));
        assertEquals("Unable to connect to server (ConnectException: Connection refused)", ConnectionErrors.describe(e));
    }

    /** As the JDK reports it under Paho (TlsBrokerIT sees the real ones): the certificate, the setting, the text. */
    @Test
    void aRefusedBrokerCertificateSaysWhichCheckFailedAndWhereToLook() {
        var wrongHost = new org.eclipse.paho.mqttv5.common.MqttException(handshake("handshake",
                new java.security.cert.CertificateException(
                        "No subject alternative DNS name matching broker.example.com found.")));
        assertEquals("TLS: the broker's certificate is not for the host name the gateway connects to (No subject "
                + "alternative DNS name matching broker.example.com found.)", ConnectionErrors.describe(wrongHost));

        var otherCa = new org.eclipse.paho.mqttv5.common.MqttException(handshake("PKIX path validation failed",
                new java.security.cert.CertPathValidatorException(
                        "Path does not chain with any of the trust anchors")));
        assertEquals("TLS: the broker's certificate is not signed by a CA the gateway trusts "
                + "(management.tls.caFile, else the JVM's CAs): Path does not chain with any of the trust anchors",
                ConnectionErrors.describe(otherCa));

        var expired = new org.eclipse.paho.client.mqttv3.MqttException(handshake("validity check failed",
                new java.security.cert.CertificateExpiredException("NotAfter: x")));
        assertEquals("TLS: the broker's certificate has expired (NotAfter: x)", ConnectionErrors.describe(expired));

        var refused = new org.eclipse.paho.mqttv5.common.MqttException(new javax.net.ssl.SSLHandshakeException(
                "Received fatal alert: unknown_ca"));
        assertEquals("TLS: the broker refused the gateway's client certificate (management.tls.certFile): "
                + "Received fatal alert: unknown_ca", ConnectionErrors.describe(refused));
        var undecryptable = new org.eclipse.paho.mqttv5.common.MqttException(new javax.net.ssl.SSLHandshakeException(
                "Received fatal alert: decrypt_error"));
        assertEquals("TLS: the broker refused the gateway's client certificate (management.tls.certFile): "
                + "Received fatal alert: decrypt_error", ConnectionErrors.describe(undecryptable));
    }

    /** TLS 1.3: the broker refuses a client certificate after the gateway's handshake; the CONNECT finds it closed. */
    @Test
    void aConnectionClosedRightAfterTheHandshakeAsksAboutTheClientCertificate() {
        var closed = new org.eclipse.paho.mqttv5.common.MqttException(new java.net.SocketException("Broken pipe"));
        assertEquals(java.util.Optional.of(" — the broker closed the TLS connection at once: did it refuse the "
                + "gateway's client certificate (management.tls.certFile; e.g. signed by a CA the broker does not "
                + "trust)?"), TlsErrors.closedAfterHandshake(closed));
        assertEquals(java.util.Optional.empty(), TlsErrors.closedAfterHandshake(
                new org.eclipse.paho.mqttv5.common.MqttException(new java.net.ConnectException("Connection refused"))));
    }

    @Test
    void otherTlsFailuresKeepTheirOwnText() {
        var e = new org.eclipse.paho.mqttv5.common.MqttException(new javax.net.ssl.SSLHandshakeException(
                "Received fatal alert: handshake_failure"));
        assertEquals("SSLHandshakeException: Received fatal alert: handshake_failure", ConnectionErrors.describe(e));
    }

    /** The JDK's SSLHandshakeException has no cause constructor; it sets one with initCause. */
    static javax.net.ssl.SSLHandshakeException handshake(String message, Throwable cause) {
        var e = new javax.net.ssl.SSLHandshakeException(message);
        e.initCause(cause);
        return e;
    }
}
