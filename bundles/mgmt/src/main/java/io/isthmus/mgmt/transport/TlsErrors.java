package io.isthmus.mgmt.transport;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A refused TLS handshake in words an operator can act on (status {@code lastError}, a rollback's reason): which
 * side refused what, and the setting to look at, followed by the JDK's own text. The JDK alone says
 * "Path does not chain with any of the trust anchors" or "No subject alternative DNS name matching … found".
 */
final class TlsErrors {
    // decrypt_error: seen from Mosquitto (OpenSSL 3) for a client certificate of another CA when the gateway reads
    // the alert before it writes its CONNECT
    private static final Pattern ALERT = Pattern.compile("Received fatal alert: (unknown_ca|bad_certificate|"
            + "certificate_required|certificate_unknown|certificate_revoked|certificate_expired|access_denied|"
            + "unsupported_certificate|decrypt_error)");

    private TlsErrors() {
    }

    /**
     * Empty when {@code e} is no certificate problem of a TLS handshake. A check at a corrected date
     * ({@link ClockTrustManager}) says which date; waiting for the clock is said as such.
     */
    static Optional<String> explain(Throwable e) {
        Optional<String> checkedAt = Optional.empty();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ClockTrustManager.Waiting) {
                return Optional.of(t.getMessage());
            }
            if (t instanceof ClockTrustManager.CheckedAt c && checkedAt.isEmpty()) {
                checkedAt = Optional.of(" — " + c.getMessage());
            }
        }
        String note = checkedAt.orElse("");
        return plain(e).map(m -> m + note);
    }

    private static Optional<String> plain(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = Optional.ofNullable(t.getMessage()).orElse("");
            if (t instanceof CertificateExpiredException) {
                return Optional.of("TLS: the broker's certificate has expired (" + m + ")");
            }
            if (t instanceof CertificateNotYetValidException) {
                return Optional.of("TLS: the broker's certificate is not valid yet; is the gateway's clock right? ("
                        + m + ")");
            }
            if (t instanceof java.security.cert.CertificateException
                    && (m.startsWith("No subject alternative") || m.startsWith("No name matching"))) {
                return Optional.of("TLS: the broker's certificate is not for the host name the gateway connects to ("
                        + m + ")");
            }
            if (t instanceof CertPathValidatorException p && p.getCause() != null
                    && (p.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                            || p.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
                continue; // a chain from a CA: "validity check failed"; its cause says which date
            }
            if (t instanceof CertPathValidatorException || t instanceof CertPathBuilderException) {
                return Optional.of("TLS: the broker's certificate is not signed by a CA the gateway trusts "
                        + "(management.tls.caFile, else the JVM's CAs): " + m);
            }
            Matcher alert = ALERT.matcher(m);
            if (t instanceof javax.net.ssl.SSLException && alert.find()) {
                return Optional.of("TLS: the broker refused the gateway's client certificate "
                        + "(management.tls.certFile): " + alert.group());
            }
        }
        return Optional.empty();
    }

    /**
     * A hint for a connection the broker closed while the gateway sent its CONNECT over TLS with a client
     * certificate: with TLS 1.3 the broker judges that certificate after the gateway's side of the handshake is
     * done, so a refusal shows only as a closed connection ("Broken pipe"); empty for any other failure.
     */
    static Optional<String> closedAfterHandshake(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = Optional.ofNullable(root.getMessage()).orElse("");
        boolean closed = root instanceof java.io.EOFException || (root instanceof java.net.SocketException
                && !(root instanceof java.net.ConnectException) && (m.contains("Broken pipe")
                        || m.contains("Connection reset")));
        return closed ? Optional.of(" — the broker closed the TLS connection at once: did it refuse the gateway's "
                + "client certificate (management.tls.certFile; e.g. signed by a CA the broker does not trust)?")
                : Optional.empty();
    }
}
