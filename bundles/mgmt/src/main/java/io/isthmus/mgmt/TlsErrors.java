package io.isthmus.mgmt;

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
    private static final Pattern ALERT = Pattern.compile("Received fatal alert: (unknown_ca|bad_certificate|"
            + "certificate_required|certificate_unknown|certificate_revoked|certificate_expired|access_denied|"
            + "unsupported_certificate)");

    private TlsErrors() {
    }

    /** Empty when {@code e} is no certificate problem of a TLS handshake. */
    static Optional<String> explain(Throwable e) {
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
}
