package io.isthmus.mgmt.transport;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JDK's check of the broker's certificate, and when that fails only because a certificate is not yet valid at
 * the gateway's clock, the same check again at the date the {@link ClockPolicy} gives: the JDK's own PKIX trust
 * manager over the same trust anchors with {@link PKIXBuilderParameters#setDate}, so the chain, the CA, the key
 * usage, the algorithm constraints and the host name are checked as before; only the date differs. While the policy
 * waits for a first sync, the check runs at the latest start of validity in the chain: if it fails there too (a
 * wrong host name, another CA, an expired certificate) that is the error, else {@link Waiting}.
 */
final class ClockTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager normal;
    private final Set<TrustAnchor> anchors;
    private final ClockPolicy policy;
    private final Clock clock;

    ClockTrustManager(X509ExtendedTrustManager normal, ClockPolicy policy, Clock clock) {
        this.normal = normal;
        this.anchors = Arrays.stream(normal.getAcceptedIssuers()).map(c -> new TrustAnchor(c, null))
                .collect(Collectors.toUnmodifiableSet());
        this.policy = policy;
        this.clock = clock;
    }

    /** The broker's certificate is not valid yet and the gateway waits for its first time sync. */
    static final class Waiting extends CertificateException {
        private static final long serialVersionUID = 1L;

        Waiting(ClockPolicy.Wait wait, Throwable cause) {
            super("TLS: the broker's certificate is not valid yet at the gateway's clock (" + wait.system()
                    + "); waiting for the first time sync (" + wait.secondsLeft() + " s left)", cause);
        }
    }

    /** The check at a corrected date failed too: the cause says why, the message at which date. */
    static final class CheckedAt extends CertificateException {
        private static final long serialVersionUID = 1L;

        CheckedAt(String why, Throwable cause) {
            super(why, cause);
        }
    }

    /** One of the JDK's three server checks, against a given trust manager. */
    private interface Check {
        void run(X509ExtendedTrustManager tm) throws CertificateException;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, tm -> tm.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain, tm -> tm.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain, tm -> tm.checkServerTrusted(chain, authType, engine));
    }

    private void check(X509Certificate[] chain, Check check) throws CertificateException {
        try {
            check.run(normal);
            return;
        } catch (CertificateException e) {
            if (!notYetValid(e)) {
                throw e;
            }
            Instant now = clock.instant();
            ClockPolicy.Decision d = policy.decide(now);
            if (d instanceof ClockPolicy.Wait wait) {
                // whatever else is wrong is not for the clock to fix: say it now, not after the wait
                check.run(at(latestStart(chain, now)));
                throw new Waiting(wait, e);
            }
            ClockPolicy.CheckAt at = (ClockPolicy.CheckAt) d;
            if (!at.date().isAfter(now)) {
                throw new CheckedAt(at.why(), e);
            }
            try {
                check.run(at(at.date()));
            } catch (CertificateException again) {
                throw new CheckedAt(at.why(), again);
            }
        }
    }

    /** The JDK's PKIX trust manager over the same anchors, checking validity at {@code date}. */
    private X509ExtendedTrustManager at(Instant date) throws CertificateException {
        try {
            PKIXBuilderParameters p = new PKIXBuilderParameters(anchors, new X509CertSelector());
            // as the JDK's default TLS trust manager: revocation only with com.sun.net.ssl.checkRevocation=true
            p.setRevocationEnabled(Boolean.getBoolean("com.sun.net.ssl.checkRevocation"));
            p.setDate(Date.from(date));
            TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
            f.init(new CertPathTrustManagerParameters(p));
            for (TrustManager tm : f.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
            throw new CertificateException("the JDK's PKIX trust manager factory made no X509ExtendedTrustManager");
        } catch (GeneralSecurityException e) {
            throw new CertificateException("cannot check the broker's certificate at " + date + ": " + e, e);
        }
    }

    /** The latest start of validity in the chain, at least {@code now}. */
    static Instant latestStart(X509Certificate[] chain, Instant now) {
        Instant latest = now;
        for (X509Certificate c : chain) {
            Instant start = c.getNotBefore().toInstant();
            if (start.isAfter(latest)) {
                latest = start;
            }
        }
        return latest;
    }

    /** Whether {@code e} is a certificate not yet valid (the JDK's validator wraps it in a path exception). */
    static boolean notYetValid(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertificateNotYetValidException || (t instanceof CertPathValidatorException p
                    && p.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        normal.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        normal.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        normal.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return normal.getAcceptedIssuers();
    }
}
