package io.isthmus.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The certificates a bundle's signer must chain to: a PKCS12 file, or a directory of PEM/DER certificates
 * ({@code *.pem}, {@code *.crt}, {@code *.cer}). Read at each verification, so provisioning needs no restart.
 */
record TrustStore(Set<X509Certificate> anchors) {

    static TrustStore load(Path where, char[] password) throws IOException, GeneralSecurityException {
        Set<X509Certificate> anchors = new HashSet<>();
        if (Files.isDirectory(where)) {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            try (Stream<Path> s = Files.list(where)) {
                for (Path p : s.filter(p -> p.getFileName().toString().matches(".*\\.(pem|crt|cer)")).sorted()
                        .toList()) {
                    try (InputStream in = Files.newInputStream(p)) {
                        for (Certificate c : cf.generateCertificates(in)) {
                            anchors.add((X509Certificate) c);
                        }
                    }
                }
            }
        } else if (Files.isRegularFile(where)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(where)) {
                ks.load(in, password);
            }
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.getCertificate(alias) instanceof X509Certificate c) {
                    anchors.add(c);
                }
            }
        }
        return new TrustStore(Set.copyOf(anchors));
    }

    /** The chain (leaf first) is trusted when one of its certificates is an anchor or is issued by one. */
    boolean trusts(List<X509Certificate> chain) {
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate c = chain.get(i);
            boolean anchored = anchors.contains(c) || anchors.stream().anyMatch(a -> issued(c, a));
            if (anchored) {
                return linked(chain, i);
            }
        }
        return false;
    }

    private static boolean linked(List<X509Certificate> chain, int upTo) {
        for (int j = 0; j < upTo; j++) {
            if (!issued(chain.get(j), chain.get(j + 1))) {
                return false;
            }
        }
        return true;
    }

    private static boolean issued(X509Certificate cert, X509Certificate issuer) {
        if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        try {
            cert.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
