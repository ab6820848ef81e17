package io.isthmus.mgmt.transport;

import io.isthmus.api.config.ManagementConfig.Tls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS socket factories from PEM files: the broker is verified against {@code caFile} (else the JVM's trusted
 * CAs; there is no way to turn verification off), and {@code certFile} + {@code keyFile} authenticate the gateway.
 */
public final class TlsSockets {
    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final char[] NO_PASSWORD = new char[0];

    private TlsSockets() {
    }

    public static SSLSocketFactory factory(Tls tls) throws IOException, GeneralSecurityException {
        return factory(tls, Optional.empty());
    }

    /**
     * The same; with {@code clock}, a broker certificate that is not yet valid at the gateway's clock is judged as
     * the {@link ClockPolicy} says ({@link ClockTrustManager}).
     */
    public static SSLSocketFactory factory(Tls tls, Optional<ClockPolicy> clock)
            throws IOException, GeneralSecurityException {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (tls.caFile().isPresent()) {
            KeyStore cas = KeyStore.getInstance(KeyStore.getDefaultType());
            cas.load(null, null);
            List<Certificate> certs = certificates(Path.of(tls.caFile().get()));
            for (int i = 0; i < certs.size(); i++) {
                cas.setCertificateEntry("ca-" + i, certs.get(i));
            }
            trust.init(cas);
        } else {
            trust.init((KeyStore) null);
        }
        KeyManagerFactory keys = null;
        if (tls.certFile().isPresent() && tls.keyFile().isPresent()) {
            KeyStore client = KeyStore.getInstance(KeyStore.getDefaultType());
            client.load(null, null);
            List<Certificate> chain = certificates(Path.of(tls.certFile().get()));
            client.setKeyEntry("client", privateKey(Path.of(tls.keyFile().get())), NO_PASSWORD,
                    chain.toArray(Certificate[]::new));
            keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(client, NO_PASSWORD);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        TrustManager[] managers = trust.getTrustManagers();
        if (clock.isPresent()) {
            for (int i = 0; i < managers.length; i++) {
                if (managers[i] instanceof X509ExtendedTrustManager x) {
                    managers[i] = new ClockTrustManager(x, clock.get(), Clock.systemUTC());
                }
            }
        }
        context.init(keys == null ? null : keys.getKeyManagers(), managers, null);
        return context.getSocketFactory();
    }

    static List<Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        List<Certificate> certs = new ArrayList<>(CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem))));
        if (certs.isEmpty()) {
            throw new GeneralSecurityException(pem + ": no certificate");
        }
        return certs;
    }

    /** A PKCS#8 PEM key ({@code openssl genpkey}, or {@code openssl pkcs8 -topk8 -nocrypt}), RSA or EC. */
    static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        return privateKey(Files.readString(pem, StandardCharsets.US_ASCII), pem.toString());
    }

    /** The same from PEM text; {@code where} names it in errors (never the key itself). */
    public static PrivateKey privateKey(String text, String where) throws GeneralSecurityException {
        Matcher m = PEM_KEY.matcher(text);
        if (!m.find()) {
            throw new GeneralSecurityException(where + ": no unencrypted PKCS#8 key (BEGIN PRIVATE KEY)");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(1)));
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException wrongAlgorithm) {
                // try the next
            }
        }
        throw new GeneralSecurityException(where + ": key is neither RSA, EC nor Ed25519");
    }
}
