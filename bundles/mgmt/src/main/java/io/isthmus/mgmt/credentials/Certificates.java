package io.isthmus.mgmt.credentials;

import io.isthmus.mgmt.transport.TlsSockets;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What an operator needs to know of a client certificate, and the checks a new one must pass before it is tried. */
public final class Certificates {
    private Certificates() {
    }

    /** A PEM text's certificates, in order; the first is the client's own. */
    public static List<X509Certificate> parse(String pem) throws GeneralSecurityException {
        List<X509Certificate> out = new ArrayList<>();
        for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(
                pem.getBytes(StandardCharsets.US_ASCII)))) {
            out.add((X509Certificate) c);
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException("no certificate (BEGIN CERTIFICATE) in the text");
        }
        return out;
    }

    /** Empty when the key belongs to the certificate: it signs, the certificate's public key verifies. */
    public static boolean matches(X509Certificate certificate, PrivateKey key) {
        try {
            String algorithm = switch (key.getAlgorithm()) {
                case "RSA" -> "SHA256withRSA";
                case "EC" -> "SHA256withECDSA";
                default -> key.getAlgorithm();
            };
            byte[] message = "isthmus credentials check".getBytes(StandardCharsets.US_ASCII);
            Signature sign = Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(message);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            verify.initVerify(certificate.getPublicKey());
            verify.update(message);
            return verify.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** A PKCS#8 PEM key from text, as {@link TlsSockets} reads it from a file. */
    public static PrivateKey key(String pem) throws GeneralSecurityException {
        return TlsSockets.privateKey(pem, "the key");
    }

    /** subject, notAfter, daysLeft of the certificate file, for status and events; never the key. */
    public static Map<String, Object> describe(Path certFile, Instant now) throws IOException,
            GeneralSecurityException {
        X509Certificate c = parse(Files.readString(certFile, StandardCharsets.US_ASCII)).get(0);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("subject", c.getSubjectX500Principal().getName());
        d.put("notAfter", c.getNotAfter().toInstant().toString());
        d.put("daysLeft", Duration.between(now, c.getNotAfter().toInstant()).toDays());
        return d;
    }
}
