package io.isthmus.mgmt.transport;

import java.util.Optional;

/** Why a connection to the broker failed or was lost, in the words status and rollback reasons use. */
public final class ConnectionErrors {
    private ConnectionErrors() {
    }

    /**
     * Why a connection failed or was lost, in words (status {@code lastError}, a rollback's reason): Paho's own
     * text when it has one, else its cause's. Paho has no text for its reason code 0 ("the cause is a client
     * exception") and says {@code Untranslated MqttException - RC: 0}, which tells an operator nothing. A refused
     * TLS handshake says which certificate and which setting ({@link TlsErrors}).
     */
    public static String describe(Throwable e) {
        // the proxy's own answer says it all; Paho's "Unable to connect to server" around it says nothing
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpTunnel.Refused refused) {
                return refused.getMessage();
            }
        }
        Optional<String> tls = TlsErrors.explain(e);
        if (tls.isPresent()) {
            return tls.get();
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        Optional<String> own = Optional.ofNullable(e.getMessage()).filter(m -> !m.isBlank()
                && !m.startsWith(UNTRANSLATED) && !m.equals("MqttException"));
        if (own.isEmpty()) {
            return root != e ? cause(root) : "MQTT client error" + Optional.ofNullable(e.getMessage())
                    .filter(m -> m.startsWith(UNTRANSLATED)).map(m -> " (Paho " + m.substring(
                            UNTRANSLATED.length()).replace(" - ", "").trim() + ")").orElse("");
        }
        return root == e ? own.get() : own.get() + " (" + cause(root) + ")";
    }

    private static final String UNTRANSLATED = "Untranslated MqttException";

    private static String cause(Throwable t) {
        if (t instanceof java.io.EOFException) {
            return "the broker closed the connection (EOFException)";
        }
        return t.getClass().getSimpleName() + Optional.ofNullable(t.getMessage()).map(m -> ": " + m).orElse("");
    }
}
