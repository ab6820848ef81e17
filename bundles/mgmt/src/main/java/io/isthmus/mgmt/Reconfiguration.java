package io.isthmus.mgmt;

import io.isthmus.api.config.ManagementConfig;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.mgmt.EventPublisher.Priority;
import io.isthmus.mgmt.transport.Session;
import io.isthmus.mgmt.transport.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.osgi.service.log.Logger;

/**
 * What the document's {@code management} section asks of the agent: where to connect and as whom (the session's
 * target), and which commands are allowed (kept apart from the connection: a change never reconnects).
 */
final class Reconfiguration {
    /** Where queued messages go: the outbox. */
    interface Queue {
        void queue(String topic, Optional<byte[]> correlation, byte[] payload, Priority priority);
    }

    private final Session session;
    private final EarlyEvents early;
    private final String hostName;
    private final Queue outbox;
    private final Logger log;
    private volatile Optional<Session.Target> target = Optional.empty();
    /** The document's {@code management.commands}, kept apart from the connection: a change never reconnects. */
    private volatile ManagementConfig.CommandPolicy policy = ManagementConfig.CommandPolicy.ALL;

    Reconfiguration(Session session, EarlyEvents early, String hostName, Queue outbox, Logger log) {
        this.session = session;
        this.early = early;
        this.hostName = hostName;
        this.outbox = outbox;
        this.log = log;
    }

    Optional<Session.Target> target() {
        return target;
    }

    ManagementConfig.CommandPolicy policy() {
        return policy;
    }

    void apply(NetworkDocument document) {
        ManagementConfig m = connection(document.management());
        if (!document.management().commands().equals(policy)) {
            policy = document.management().commands();
            log.info("management: command policy allow " + policy.allow() + ", deny " + policy.deny());
        }
        if (m.brokers().isEmpty()) {
            if (target.isPresent() || !session.enabled()) {
                log.info("management: no brokers in the document; remote management is off");
            }
            target = Optional.empty();
            session.configure(Optional.empty());
            early.drain(); // nobody to tell
            return;
        }
        Session.Target next = new Session.Target(m, new Topics(m.deviceId().orElse(hostName)));
        if (!Optional.of(next).equals(target)) {
            log.info("management: device " + next.topics().deviceId() + ", brokers " + m.brokers() + ", MQTT "
                    + m.mqttVersion());
        }
        target = Optional.of(next);
        // what drivers found while booting (a wrong SIM PIN, a rejected APN) reaches the operator too
        early.drain().forEach(e -> outbox.queue(next.topics().event(e.type()), Optional.empty(), e.payload(),
                e.priority()));
        session.configure(target);
    }

    List<String> preview(NetworkDocument document) {
        ManagementConfig m = connection(document.management());
        Optional<Session.Target> next = m.brokers().isEmpty() ? Optional.empty()
                : Optional.of(new Session.Target(m, new Topics(m.deviceId().orElse(hostName))));
        List<String> changes = new ArrayList<>();
        if (!next.equals(target)) {
            changes.add(next.map(t -> "reconnect as " + t.topics().deviceId() + " to " + m.brokers())
                    .orElse("disconnect from the management broker"));
        }
        ManagementConfig.CommandPolicy p = document.management().commands();
        if (!p.equals(policy)) {
            changes.add("command policy: allow " + p.allow() + ", deny " + p.deny());
        }
        return changes;
    }

    /** The section without its command policy: what the MQTT session depends on. */
    private static ManagementConfig connection(ManagementConfig m) {
        return new ManagementConfig(m.brokers(), m.deviceId(), m.mqttVersion(), m.username(), m.password(),
                m.passwordFile(), m.keepAliveSeconds(), m.tls(), ManagementConfig.CommandPolicy.ALL, m.proxy());
    }

    /** 403 reason for a command the document's policy does not allow. */
    Optional<String> forbidden(String command) {
        ManagementConfig.CommandPolicy p = policy;
        return p.allows(command) ? Optional.empty() : Optional.of("command \"" + command + "\" is not allowed on "
                + "this gateway by its management.commands policy (allow " + p.allow() + ", deny " + p.deny() + ")");
    }
}
