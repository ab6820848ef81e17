package io.isthmus.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.osgi.framework.Constants;
import org.osgi.framework.Version;

/**
 * The checks on the jar alone, before anything changes: size and SHA-256 as requested, the signature (every entry
 * signed by one signer that chains to the trust store; unsigned only when the policy allows), and an OSGi
 * manifest with a symbolic name and a valid version.
 */
final class JarCheck {
    record Policy(boolean requireSigned, TrustStore trust) {
    }

    private JarCheck() {
    }

    static Candidate inspect(Path jar, long size, Optional<String> sha256, Policy policy) throws Refused, IOException {
        long actual = Files.size(jar);
        if (actual != size) {
            throw new Refused("transfer incomplete: " + actual + " of " + size + " bytes");
        }
        String hash = Sha256.of(jar);
        if (sha256.isPresent() && !sha256.get().equalsIgnoreCase(hash)) {
            throw new Refused("sha256 mismatch: expected " + sha256.get().toLowerCase() + ", got " + hash);
        }
        try (JarFile jf = new JarFile(jar.toFile(), true)) {
            Manifest mf = jf.getManifest();
            if (mf == null) {
                throw new Refused("not an OSGi bundle (no manifest)");
            }
            boolean signed = signature(jf, policy);
            String bsn = Headers.firstName(mf.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME));
            if (bsn.isEmpty()) {
                throw new Refused("not an OSGi bundle (no Bundle-SymbolicName)");
            }
            if (!"2".equals(String.valueOf(mf.getMainAttributes().getValue(Constants.BUNDLE_MANIFESTVERSION)).trim())) {
                throw new Refused("not an OSGi R4+ bundle (Bundle-ManifestVersion is not 2)");
            }
            Version version;
            try {
                version = Version.parseVersion(mf.getMainAttributes().getValue(Constants.BUNDLE_VERSION));
            } catch (IllegalArgumentException e) {
                throw new Refused("invalid Bundle-Version: " + e.getMessage());
            }
            return new Candidate(jar, hash, bsn, version, mf.getMainAttributes(), signed);
        } catch (java.util.zip.ZipException e) {
            throw new Refused("not a jar: " + e.getMessage());
        }
    }

    /** True when signed by a trusted signer; false when unsigned and the policy allows it. */
    private static boolean signature(JarFile jf, Policy policy) throws Refused, IOException {
        Set<Certificate> common = null;
        java.util.Map<Certificate, List<X509Certificate>> chains = new java.util.HashMap<>();
        boolean anyUnsigned = false;
        String firstUnsigned = "";
        byte[] buf = new byte[16 * 1024];
        for (Enumeration<JarEntry> en = jf.entries(); en.hasMoreElements();) {
            JarEntry e = en.nextElement();
            try (InputStream in = jf.getInputStream(e)) {
                while (in.read(buf) > 0) {
                    // reading to the end is what makes the JarFile check the entry's digest
                }
            } catch (SecurityException x) {
                throw new Refused("signature: invalid (" + x.getMessage() + ")");
            }
            if (e.isDirectory() || signatureFile(e.getName())) {
                continue;
            }
            CodeSigner[] signers = e.getCodeSigners();
            if (signers == null || signers.length == 0) {
                anyUnsigned = true;
                firstUnsigned = firstUnsigned.isEmpty() ? e.getName() : firstUnsigned;
                continue;
            }
            Set<Certificate> leaves = new HashSet<>();
            for (CodeSigner s : signers) {
                List<? extends Certificate> certs = s.getSignerCertPath().getCertificates();
                leaves.add(certs.get(0));
                chains.computeIfAbsent(certs.get(0), k -> {
                    List<X509Certificate> c = new ArrayList<>();
                    certs.forEach(x -> c.add((X509Certificate) x));
                    return c;
                });
            }
            if (common == null) {
                common = leaves;
            } else {
                common.retainAll(leaves);
            }
        }
        if (common == null) {
            if (policy.requireSigned()) {
                throw new Refused("unsigned bundle refused by policy requireSigned");
            }
            return false;
        }
        if (anyUnsigned) {
            throw new Refused("signature: entry " + firstUnsigned + " is not signed");
        }
        if (common.isEmpty()) {
            throw new Refused("signature: the entries are not all signed by the same signer");
        }
        List<X509Certificate> chain = chains.get(common.iterator().next());
        if (common.stream().map(chains::get).noneMatch(policy.trust()::trusts)) {
            if (policy.requireSigned() || !policy.trust().anchors().isEmpty()) {
                throw new Refused("signature: not signed by a trusted certificate (signer "
                        + chain.get(0).getSubjectX500Principal().getName() + ")");
            }
            return false;
        }
        return true;
    }

    private static boolean signatureFile(String name) {
        String n = name.toUpperCase(java.util.Locale.ROOT);
        return n.equals("META-INF/MANIFEST.MF") || n.startsWith("META-INF/") && (n.endsWith(".SF")
                || n.endsWith(".RSA") || n.endsWith(".DSA") || n.endsWith(".EC") || n.startsWith("META-INF/SIG-"));
    }
}
