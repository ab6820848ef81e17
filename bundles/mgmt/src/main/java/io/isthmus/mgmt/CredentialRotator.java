package io.isthmus.mgmt;

import io.isthmus.api.config.ManagementConfig;
import io.isthmus.api.config.ManagementConfig.Tls;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.api.mgmt.EventPublisher;
import io.isthmus.api.mgmt.EventPublisher.Priority;
import io.isthmus.mgmt.credentials.Certificates;
import io.isthmus.mgmt.credentials.CredentialSet;
import io.isthmus.mgmt.credentials.CredentialStore;
import io.isthmus.mgmt.transport.BrokerProbe;
import io.isthmus.mgmt.transport.Endpoint;
import io.isthmus.mgmt.transport.Quietly;
import io.isthmus.mgmt.transport.Session;
import io.isthmus.mgmt.transport.Transport;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.log.Logger;

/**
 * The client certificate: which one is in use (the document's, or one {@code credentials.rotate} installed),
 * {@code credentials.rotate} with test before commit, and the expiry warning on {@code evt/mgmt}.
 */
final class CredentialRotator {
    private final CredentialStore credentials;
    private final Session session;
    private final BrokerProbe probe;
    private final Reconfiguration settings;
    private final EventPublisher events;
    private final int warningDays;
    /** Held by the broker-reachable check too: one reconnect to judge at a time. */
    private final Object rotation;
    private final Logger log;
    /** The set being tried by credentials.rotate, in place of the one in force. */
    private volatile Optional<CredentialSet> trial = Optional.empty();
    /** The day an expiry warning was last sent: at most one a day. */
    private volatile java.time.LocalDate warnedOn = java.time.LocalDate.MIN;

    CredentialRotator(CredentialStore credentials, Session session, BrokerProbe probe, Reconfiguration settings,
            EventPublisher events, int warningDays, Object rotation, Logger log) {
        this.credentials = credentials;
        this.session = session;
        this.probe = probe;
        this.settings = settings;
        this.events = events;
        this.warningDays = warningDays;
        this.rotation = rotation;
        this.log = log;
    }

    /** The document's TLS files, with the set on trial or the installed one in place of its certificate. */
    Tls tls(ManagementConfig m) throws IOException {
        Optional<CredentialSet> trying = trial;
        return trying.isPresent() ? CredentialStore.with(m.tls(), trying.get()) : credentials.effective(m.tls());
    }

    CommandReply rotate(String certificate, String key, Optional<String> ca, Duration window) {
        synchronized (rotation) {
            Optional<Session.Target> t = settings.target();
            if (t.isEmpty() || t.get().config().tls().certFile().isEmpty()) {
                return CommandReply.error(409, "no-client-certificate", "the document's management.tls has no "
                        + "certFile and keyFile: there is no client certificate to replace", Optional.empty());
            }
            Optional<Transport> before = session.transport();
            if (before.isEmpty() || !Endpoint.secure(before.get().broker())) {
                return CommandReply.error(409, "offline", "not connected to a TLS broker now: new credentials "
                        + "could not be told from a broker that is away", Optional.empty());
            }
            Tls document = t.get().config().tls();
            CredentialSet staged;
            try {
                staged = credentials.stage(certificate, key, ca);
            } catch (IOException e) {
                return CommandReply.error(500, "store-failed", "the new credentials could not be written: "
                        + e.getMessage(), Optional.empty());
            }
            log.info("management: trying new credentials (" + staged.id() + ") for up to " + window.toMillis()
                    + " ms");
            Optional<String> refused = tryCredentials(staged, t.get(), window);
            if (refused.isEmpty()) {
                try {
                    credentials.commit(staged, document);
                } catch (IOException e) {
                    refused = Optional.of("the new credentials worked but could not be committed: " + e.getMessage());
                }
            }
            trial = Optional.empty();
            if (refused.isPresent()) {
                Quietly.run(() -> credentials.discard(staged));
                long ticket = session.reconnect();
                boolean back = awaitQuietly(ticket, window);
                log.warn("management: new credentials rolled back: " + refused.get() + (back ? "" : "; not "
                        + "reconnected with the old ones within " + window.toMillis() + " ms yet"));
                events.publish("mgmt", Map.of("event", "credentials rolled back", "reason", refused.get()),
                        Priority.HIGH);
                return CommandReply.error(409, "rolled-back", "credentials rolled back: " + refused.get(),
                        Optional.empty());
            }
            log.info("management: new credentials committed (" + staged.id() + ")");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("result", "committed");
            body.put("certificate", certificate().orElse(null));
            events.publish("mgmt", Map.of("event", "credentials rotated", "certificate", body.get("certificate")),
                    Priority.HIGH);
            warnedOn = java.time.LocalDate.MIN;
            return CommandReply.ok(body);
        }
    }

    /** Empty when the broker took {@code set} within the window and a probe made the round trip. */
    private Optional<String> tryCredentials(CredentialSet set, Session.Target t, Duration window) {
        long deadline = System.nanoTime() + window.toNanos();
        trial = Optional.of(set);
        long ticket = session.reconnect();
        try {
            if (!session.awaitConnected(ticket, window)) {
                return Optional.of("the broker did not take them within " + window.toMillis() / 1000.0 + " s"
                        + session.health().lastError().map(e -> " (" + e + ")").orElse(""));
            }
            Optional<Transport> transport = session.transport();
            if (transport.isEmpty() || !Endpoint.secure(transport.get().broker())) {
                return Optional.of("connected to " + transport.map(Transport::broker).orElse("no broker")
                        + ", which does not check a client certificate");
            }
            return probe.roundTrip(transport.get(), t.topics().probe(), Duration.ofNanos(Math.max(0,
                    deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    private boolean awaitQuietly(long ticket, Duration timeout) {
        try {
            return session.awaitConnected(ticket, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The client certificate in use: subject, notAfter, daysLeft, source; empty without one. */
    Optional<Map<String, Object>> certificate() {
        Optional<Session.Target> t = settings.target();
        if (t.isEmpty()) {
            return Optional.empty();
        }
        try {
            Tls in = tls(t.get().config());
            if (in.certFile().isEmpty()) {
                return Optional.empty();
            }
            Map<String, Object> d = Certificates.describe(Path.of(in.certFile().get()), Instant.now());
            Optional<CredentialStore.Installed> installed = credentials.installed().filter(i -> in.certFile()
                    .equals(Optional.of(i.set().certFile().toString())));
            d.put("source", installed.isPresent() ? "credentials.rotate" : "document");
            d.put("installedAt", installed.map(i -> i.installedAt().toString()).orElse(null));
            return Optional.of(d);
        } catch (IOException | GeneralSecurityException e) {
            return Optional.of(Map.of("problem", "unreadable: " + e.getMessage()));
        }
    }

    /** An evt/mgmt warning when the client certificate expires within certificateWarningDays; once a day. */
    void warnIfExpiring() {
        int days = warningDays;
        java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
        Optional<Map<String, Object>> c = certificate();
        if (days <= 0 || c.isEmpty() || !(c.get().get("daysLeft") instanceof Long left) || left > days
                || today.equals(warnedOn)) {
            return;
        }
        warnedOn = today;
        Map<String, Object> body = new LinkedHashMap<>(c.get());
        body.put("event", "certificate expiring");
        body.put("warningDays", days);
        log.warn("management: the client certificate " + body.get("subject") + " expires " + body.get("notAfter"));
        events.publish("mgmt", body, Priority.HIGH);
    }

}
