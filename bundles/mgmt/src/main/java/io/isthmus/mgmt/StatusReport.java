package io.isthmus.mgmt;

import io.isthmus.api.config.ConfigService;
import io.isthmus.api.config.ManagementConfig;
import io.isthmus.mgmt.dispatch.Dispatcher;
import io.isthmus.mgmt.transport.Endpoint;
import io.isthmus.mgmt.transport.Outbox;
import io.isthmus.mgmt.transport.Sender;
import io.isthmus.mgmt.transport.Session;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * What the agent says about the gateway and itself: the retained {@code state} message (also the Last Will's) and
 * the {@code management} member of {@code status}.
 */
final class StatusReport {
    private final BundleContext context;
    private final String hostName;
    private final Instant startedAt;
    private final Supplier<ConfigService> configService;
    private final Reconfiguration settings;
    private final Session session;
    private final Dispatcher dispatcher;
    private final Map<String, Dispatcher.Registered> handlers;
    private final Outbox outbox;
    private final Sender sender;
    private final CredentialRotator credentials;

    StatusReport(BundleContext context, String hostName, Instant startedAt, Supplier<ConfigService> configService,
            Reconfiguration settings, Session session, Dispatcher dispatcher,
            Map<String, Dispatcher.Registered> handlers, Outbox outbox, Sender sender,
            CredentialRotator credentials) {
        this.context = context;
        this.hostName = hostName;
        this.startedAt = startedAt;
        this.configService = configService;
        this.settings = settings;
        this.session = session;
        this.dispatcher = dispatcher;
        this.handlers = handlers;
        this.outbox = outbox;
        this.sender = sender;
        this.credentials = credentials;
    }

    Map<String, Object> state(boolean online, String reason) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("online", online);
        s.put("reason", reason);
        s.put("deviceId", settings.target().map(t -> t.topics().deviceId()).orElse(hostName));
        s.put("profile", property("isthmus.profile").orElse("unknown"));
        s.put("version", property("isthmus.version").orElse("unknown"));
        s.put("protocol", settings.target().map(t -> t.config().mqttVersion()).orElse(ManagementConfig.MQTT_5));
        Bundle[] bundles = context.getBundles();
        long active = java.util.Arrays.stream(bundles).filter(b -> b.getState() == Bundle.ACTIVE).count();
        s.put("bundles", Map.of("total", bundles.length, "active", active));
        ConfigService cs = configService.get();
        s.put("generation", cs == null ? null : cs.current().map(g -> g.number()).orElse(null));
        s.put("startedAt", startedAt.toString());
        s.put("time", Instant.now().toString());
        return s;
    }

    Map<String, Object> describe() {
        Session.Health h = session.health();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("enabled", session.enabled());
        d.put("deviceId", settings.target().map(t -> t.topics().deviceId()).orElse(hostName));
        d.put("connected", h.connected());
        d.put("broker", h.broker().orElse(null));
        d.put("protocol", settings.target().map(t -> t.config().mqttVersion()).orElse(null));
        d.put("connectedSince", h.since().map(Instant::toString).orElse(null));
        d.put("connects", h.connects());
        d.put("lastError", h.lastError().orElse(null));
        d.put("certificate", credentials.certificate().orElse(null));
        d.put("proxy", settings.target().flatMap(t -> BrokerEndpoints.proxy(t.config())).filter(p -> h.broker()
                .map(Endpoint::host).map(p::appliesTo).orElse(true)).map(p -> "http://" + p.host() + ":" + p.port())
                .orElse(null));
        Dispatcher.Counters c = dispatcher.counters();
        d.put("requests", Map.of("received", c.received(), "ignored", c.ignored(), "busy", c.busy(),
                "timedOut", c.timedOut()));
        d.put("outbox", outboxStatus());
        d.put("commands", new java.util.TreeSet<>(handlers.keySet()));
        ManagementConfig.CommandPolicy p = settings.policy();
        d.put("policy", Map.of("allow", p.allow(), "deny", p.deny()));
        return d;
    }

    private Map<String, Object> outboxStatus() {
        Outbox.Status s = outbox.status();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("queued", s.messages());
        o.put("inFlight", sender.inFlight());
        o.put("dropped", s.dropped());
        o.put("bytes", s.bytes());
        o.put("journal", s.journal());
        o.put("freeBytes", s.freeBytes().orElse(null));
        o.put("reserveBytes", s.reserveBytes());
        return o;
    }

    private Optional<String> property(String name) {
        return Optional.ofNullable(context.getProperty(name));
    }
}
