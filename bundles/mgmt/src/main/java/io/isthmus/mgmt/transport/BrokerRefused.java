package io.isthmus.mgmt.transport;

/**
 * The broker acknowledged a message with an MQTT 5 error reason code (PUBACK ≥ 0x80): it took the message and
 * dropped it, typically because an ACL does not let this client publish there. Sending it again cannot help.
 */
final class BrokerRefused extends Exception {
    private static final long serialVersionUID = 1L;

    BrokerRefused(String topic, int reasonCode) {
        super("the broker refused the message to " + topic + ": reason " + reasonCode + (reasonCode == 0x87
                ? " (not authorized: does its ACL let this device publish there?)" : ""));
    }
}
