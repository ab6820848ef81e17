package io.isthmus.mgmt;

import io.isthmus.api.config.CommitCheck;
import io.isthmus.api.config.ConfigService;
import io.isthmus.api.config.ManagementConfig;
import io.isthmus.api.config.ManagementConfig.Tls;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.SectionApplier;
import io.isthmus.api.linux.ClockState;
import io.isthmus.api.linux.TimeKeeper;
import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.api.mgmt.EventPublisher;
import io.isthmus.api.mgmt.ManagementSession;
import io.isthmus.api.uplink.UplinkListener;
import io.isthmus.api.uplink.UplinkSwitch;
import io.isthmus.mgmt.commands.ConfigReplies;
import io.isthmus.mgmt.credentials.Certificates;
import io.isthmus.mgmt.credentials.CredentialSet;
import io.isthmus.mgmt.credentials.CredentialStore;
import io.isthmus.mgmt.dispatch.CommandLanes;
import io.isthmus.mgmt.dispatch.Dispatcher;
import io.isthmus.mgmt.dispatch.JsonCodec;
import io.isthmus.mgmt.dispatch.LazyHandler;
import io.isthmus.mgmt.dispatch.ReplyCache;
import io.isthmus.mgmt.transport.Backoff;
import io.isthmus.mgmt.transport.BrokerProbe;
import io.isthmus.mgmt.transport.ClockPolicy;
import io.isthmus.mgmt.transport.Endpoint;
import io.isthmus.mgmt.transport.FileJournal;
import io.isthmus.mgmt.transport.Mqtt3Transport;
import io.isthmus.mgmt.transport.Mqtt5Transport;
import io.isthmus.mgmt.transport.NoDelaySockets;
import io.isthmus.mgmt.transport.Outbox;
import io.isthmus.mgmt.transport.ProxiedSockets;
import io.isthmus.mgmt.transport.Quietly;
import io.isthmus.mgmt.transport.Sender;
import io.isthmus.mgmt.transport.Session;
import io.isthmus.mgmt.transport.TlsSockets;
import io.isthmus.mgmt.transport.Topics;
import io.isthmus.mgmt.transport.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The MQTT management agent: connects as the document's {@code management} section says (an applier of it),
 * keeps the retained state and the Last Will, runs the command whiteboard, publishes events through the outbox,
 * checks before commit that the broker is still reachable, and reconnects at once when the uplink changes.
 * With no brokers in the document it stays disconnected and says so.
 */
@Component(service = {SectionApplier.class, CommitCheck.class, UplinkListener.class, EventPublisher.class,
        AgentStatus.class, ManagementSession.class, CredentialRotation.class}, immediate = true,
        configurationPid = ManagementAgent.PID,
        property = {SectionApplier.NAME + "=management", SectionApplier.AFTER + "=uplink",
            SectionApplier.AFTER + "=routing", SectionApplier.AFTER + "=firewall",
            SectionApplier.AFTER + "=multicast",
            // the clock is kept (services.time) before the first connection: a broker certificate not yet valid
            // then waits for the first sync instead of being judged at once (ClockPolicy)
            SectionApplier.AFTER + "=services"})
@Designate(ocd = ManagementAgent.Config.class)
public class ManagementAgent implements SectionApplier, CommitCheck, UplinkListener, EventPublisher, AgentStatus,
        ManagementSession, CredentialRotation {
    static final String PID = "io.isthmus.mgmt";
    static final String CHECK_NAME = "broker-reachable";
    private static final Duration CHECK_MARGIN = Duration.ofMillis(500);
    private static final int SEND_WINDOW = 32;

    @ObjectClassDefinition(id = PID, name = "Isthmus management agent",
            description = "MQTT connection timing, the outbox and the command limits")
    public @interface Config {
        @AttributeDefinition(description = "Test before commit: how long the broker may take to be reachable "
                + "again through a new document, in ms (the config service's testWindowMs bounds it)")
        long brokerWindowMs() default 20000;

        @AttributeDefinition(description = "One connection attempt to one broker, in ms")
        long connectTimeoutMs() default 5000;

        @AttributeDefinition(description = "First reconnect delay in ms; doubles up to backoffMaxMs, with jitter")
        long backoffInitialMs() default 250;

        long backoffMaxMs() default 30000;

        @AttributeDefinition(description = "MQTT 5 session expiry: how long the broker keeps our subscription")
        long sessionExpirySeconds() default 86400;

        @AttributeDefinition(description = "Largest request accepted, in bytes; larger ones get 413")
        int maxPayloadBytes() default 262144;

        @AttributeDefinition(description = "Time a command may take unless it sets its own, in ms; then 503")
        long handlerTimeoutMs() default 15000;

        @AttributeDefinition(description = "A repeated request id within this window gets the first reply, in ms")
        long dedupWindowMs() default 600000;

        int dedupMaxIds() default 10000;

        @AttributeDefinition(description = "Handlers of one command running at once")
        int commandConcurrency() default 2;

        @AttributeDefinition(description = "Requests of one command waiting; beyond: 503 busy")
        int commandQueue() default 64;

        int commandThreads() default 32;

        @AttributeDefinition(description = "Messages the outbox keeps while the broker is away")
        int outboxMaxMessages() default 10000;

        long outboxMaxBytes() default 16777216;

        @AttributeDefinition(description = "Free space the outbox journal leaves on its disk, in bytes (the larger "
                + "of this and outboxMinFreePercent); below it the outbox keeps messages in memory only")
        long outboxMinFreeBytes() default 8388608;

        @AttributeDefinition(description = "Free space the outbox journal leaves on its disk, in % of its size")
        int outboxMinFreePercent() default 2;

        @AttributeDefinition(description = "An evt/mgmt event warns (at each connect, and once a day) when the "
                + "client certificate expires within this many days; 0: never")
        int certificateWarningDays() default 30;
    }

    private final Map<String, Dispatcher.Registered> handlers = new ConcurrentHashMap<>();
    private final JsonCodec json = new JsonCodec();
    private final Instant startedAt = Instant.now();

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private volatile ConfigService configService;

    private volatile BundleContext context;
    /** The gateway's clock as the linux bundle keeps it: judges a broker certificate not yet valid (ClockPolicy). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile TimeKeeper time;
    private ClockPolicy clockPolicy;
    private Config config;
    private String hostName;
    private Outbox outbox;
    private ScheduledExecutorService timer;
    private CommandLanes lanes;
    private Dispatcher dispatcher;
    private Session session;
    private Sender sender;
    private volatile Optional<Session.Target> target = Optional.empty();
    private volatile boolean onlineBeforeApply;
    private final BrokerProbe probe = new BrokerProbe();
    /** The document's {@code management.commands}, kept apart from the connection: a change never reconnects. */
    private volatile ManagementConfig.CommandPolicy policy = ManagementConfig.CommandPolicy.ALL;
    /** Events published before the first document named (or did not name) a broker: kept until it does. */
    private final EarlyEvents early = new EarlyEvents(EARLY_EVENTS);
    static final int EARLY_EVENTS = 256;
    /** Credential sets installed by credentials.rotate. */
    private CredentialStore credentials;
    /** The set being tried by credentials.rotate, in place of the one in force. */
    private volatile Optional<CredentialSet> trial = Optional.empty();
    private final Object rotation = new Object();
    /** The day an expiry warning was last sent: at most one a day. */
    private volatile java.time.LocalDate warnedOn = java.time.LocalDate.MIN;

    @Activate
    void activate(BundleContext context, Config config) throws IOException {
        this.context = context;
        this.config = config;
        this.hostName = hostName();
        clockPolicy = ClockPolicy.of(context::getProperty, () -> Optional.ofNullable(time).map(TimeKeeper::clockState)
                .orElse(ClockState.UNKEPT), e -> log.error("management: " + e));
        Path journal = context.getDataFile("outbox.journal").toPath();
        // a full disk degrades the outbox to memory, never the channel: the log hears it once a minute at most
        LogThrottle journalErrors = new LogThrottle(Duration.ofMinutes(1), System::nanoTime, log::error);
        outbox = Outbox.open(new FileJournal(journal), new Outbox.Limits(config.outboxMaxMessages(),
                config.outboxMaxBytes(), config.outboxMinFreeBytes(), config.outboxMinFreePercent()),
                new Outbox.Listener() {
                    @Override
                    public void journalFailed(String why) {
                        journalErrors.accept("management: " + why);
                    }

                    @Override
                    public void journalBack(String how) {
                        log.info("management: " + how);
                    }
                }, System::nanoTime);
        credentials = new CredentialStore(context.getDataFile("credentials").toPath());
        try {
            credentials.recover();
        } catch (IOException e) {
            log.error("management: installed credentials unreadable, using the document's: " + e.getMessage());
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "isthmus-mgmt-timer"));
        timer.scheduleAtFixedRate(() -> Quietly.run(this::warnIfExpiring), 1, 1, TimeUnit.HOURS);
        lanes = new CommandLanes(config.commandConcurrency(), config.commandQueue(), config.commandThreads());
        dispatcher = new Dispatcher(handlers, () -> target.map(Session.Target::topics), json,
                new ReplyCache(Duration.ofMillis(config.dedupWindowMs()), config.dedupMaxIds(), System::nanoTime),
                lanes, timer, new Dispatcher.Limits(config.maxPayloadBytes(),
                        Duration.ofMillis(config.handlerTimeoutMs())), this::queueReply, log::warn);
        dispatcher.policy(this::forbidden);
        session = new Session(this::transport, this::endpoints, new Session.Listener() {
            @Override
            public void connected(Transport transport) {
                onConnected(transport);
            }

            @Override
            public void arrived(Transport.Incoming message) {
                if (!probe.arrived(message)) {
                    dispatcher.handle(message);
                }
            }
        }, new Backoff(Duration.ofMillis(config.backoffInitialMs()), Duration.ofMillis(config.backoffMaxMs()),
                () -> ThreadLocalRandom.current().nextDouble()), Duration.ofMillis(config.connectTimeoutMs()),
                Clock.systemUTC());
        sender = new Sender(outbox, session, SEND_WINDOW);
        if (outbox.size() > 0) {
            log.info("management: " + outbox.size() + " messages waiting in the outbox from before the restart");
        }
        Optional.ofNullable(configService).ifPresent(this::watchBoot);
    }

    @Deactivate
    void deactivate() {
        // A clean goodbye: the Last Will is only for deaths, so say offline ourselves.
        Optional<Session.Target> t = target;
        session.transport().ifPresent(tr -> t.ifPresent(x -> Quietly.run(() -> tr.publish(x.topics().state(),
                json.bytes(state(false, "stopped")), true, Optional.empty()).get(1, TimeUnit.SECONDS))));
        sender.close();
        session.close();
        lanes.close();
        timer.shutdownNow();
        Quietly.run(outbox::close);
    }

    /**
     * Each config service boots once: what became of the {@code --config} file is told as an {@code evt/config}
     * event like any other document's (kept until the first document names the broker), so that a rejected
     * file is seen although the gateway runs on the generation it kept.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindConfigService(ConfigService config) {
        configService = config;
        if (context != null) {
            watchBoot(config); // bound while we run: a new config service, booting now
        }
    }

    void unbindConfigService(ConfigService config) {
        if (configService == config) {
            configService = null;
        }
    }

    private void watchBoot(ConfigService config) {
        String file = context.getProperty(ConfigService.CONFIG_FILE);
        if (file != null) {
            config.bootApplied().thenAccept(result -> publish("config", ConfigReplies.event(result, "boot:" + file),
                    Priority.HIGH));
        }
    }

    // --- the document's management section -------------------------------------------------------------

    @Override
    public void apply(NetworkDocument document) {
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
        early.drain().forEach(e -> queue(next.topics().event(e.type()), Optional.empty(), e.payload(), e.priority()));
        session.configure(target);
    }

    @Override
    public List<String> preview(NetworkDocument document) {
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
    private Optional<String> forbidden(String command) {
        ManagementConfig.CommandPolicy p = policy;
        return p.allows(command) ? Optional.empty() : Optional.of("command \"" + command + "\" is not allowed on "
                + "this gateway by its management.commands policy (allow " + p.allow() + ", deny " + p.deny() + ")");
    }

    // --- test before commit -------------------------------------------------------------------------------

    @Override
    public String name() {
        return CHECK_NAME;
    }

    /**
     * Remembers whether the channel worked before this document: only then can the document be blamed. Taken
     * before any applier runs: an uplink switch caused by the document reconnects the agent on purpose.
     */
    @Override
    public void beforeApply(NetworkDocument next) {
        onlineBeforeApply = target.isPresent() && session.onlineWithin(
                Duration.ofSeconds(2L * target.get().config().keepAliveSeconds()));
    }

    @Override
    public Optional<String> check(NetworkDocument applied, Duration window) {
        if (applied.management().brokers().isEmpty()) {
            return Optional.empty();
        }
        if (!onlineBeforeApply) {
            log.info("management: the broker was not reachable before this document either; not held against it");
            return Optional.empty();
        }
        Duration limit = Duration.ofMillis(Math.min(config.brokerWindowMs(),
                Math.max(1000, window.minus(CHECK_MARGIN).toMillis())));
        // a credentials.rotate trial reconnects too: one at a time, so neither judges the other's connection
        synchronized (rotation) {
            return reachable(limit);
        }
    }

    private Optional<String> reachable(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        long ticket = session.reconnect();
        try {
            if (!session.awaitConnected(ticket, limit)) {
                return Optional.of("management broker not reachable within " + limit.toMillis() / 1000.0
                        + " s through the new configuration" + session.health().lastError().map(e -> " (" + e + ")")
                                .orElse(""));
            }
            // Connected is not enough: an MTU that passes the handshake but not a full segment, or a proxy that
            // lets a CONNECT through and nothing else, would be committed and leave the gateway deaf.
            Optional<Topics> topics = target.map(Session.Target::topics);
            Optional<Transport> transport = session.transport();
            if (topics.isEmpty() || transport.isEmpty()) {
                return Optional.of("the management connection dropped right after it was made");
            }
            return probe.roundTrip(transport.get(), topics.get().probe(),
                    Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while waiting for the management broker");
        }
    }

    // --- uplink switches and events -------------------------------------------------------------------------

    @Override
    public void activeUplinkChanged(Optional<String> previous, Optional<String> current, String reason) {
        uplinkSwitched(new UplinkSwitch(previous, current, reason, Duration.ZERO, Instant.now(), List.of()));
    }

    @Override
    public void uplinkSwitched(UplinkSwitch change) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", "switched");
        body.put("previous", change.previous().orElse(null));
        body.put("current", change.current().orElse(null));
        body.put("reason", change.reason());
        body.put("paths", change.paths().stream().map(UplinkSwitch.Path::id).toList());
        publish("uplink", body, Priority.HIGH);
        // The old path may be dead without the TCP session knowing for a keep-alive or two: do not wait. A switch
        // of the data path alone moves nothing the session uses.
        if (change.management() && session.enabled()) {
            session.reconnect();
        }
    }

    @Override
    public boolean enabled() {
        return target.isPresent();
    }

    @Override
    public boolean connected() {
        return session.health().connected();
    }

    @Override
    public void publish(String type, Map<String, Object> body, Priority priority) {
        if (!Topics.NAME.matcher(type).matches()) {
            throw new IllegalArgumentException("event type must be 1 to 64 of a-z 0-9 . _ -, got " + type);
        }
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", UUID.randomUUID().toString());
        event.put("type", type);
        event.put("time", Instant.now().toString());
        event.put("body", body);
        Optional<Topics> topics = target.map(Session.Target::topics);
        if (topics.isEmpty()) {
            // before the first document: kept until it says where to; after: no channel, nobody to tell
            early.offer(new EarlyEvents.Event(type, json.bytes(event), priority));
            return;
        }
        queue(topics.get().event(type), Optional.empty(), json.bytes(event), priority);
    }

    private void queueReply(String topic, Optional<byte[]> correlation, byte[] payload) {
        queue(topic, correlation, payload, Priority.HIGH);
    }

    private void queue(String topic, Optional<byte[]> correlation, byte[] payload, Priority priority) {
        outbox.add(new Outbox.Message(topic, payload, false, correlation), priority); // in memory if the disk is full
        sender.signal();
    }

    // --- state ---------------------------------------------------------------------------------------------

    private void onConnected(Transport transport) {
        Session.Target t = target.orElse(null);
        if (t == null) {
            return;
        }
        log.info("management: connected to " + transport.broker() + " as " + t.topics().deviceId());
        transport.publish(t.topics().state(), json.bytes(state(true, "connected")), true, Optional.empty());
        Quietly.run(this::warnIfExpiring);
        long dropped = outbox.takeUnreportedDrops();
        if (dropped > 0) {
            publish("outbox", Map.of("event", "dropped", "dropped", dropped, "droppedTotal", outbox.dropped()),
                    Priority.HIGH);
        }
        sender.signal();
    }

    @Override
    public void refreshState() {
        Optional<Session.Target> t = target;
        session.transport().ifPresent(tr -> t.ifPresent(x -> tr.publish(x.topics().state(),
                json.bytes(state(true, "connected")), true, Optional.empty())));
    }

    private Map<String, Object> state(boolean online, String reason) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("online", online);
        s.put("reason", reason);
        s.put("deviceId", target.map(t -> t.topics().deviceId()).orElse(hostName));
        s.put("profile", property("isthmus.profile").orElse("unknown"));
        s.put("version", property("isthmus.version").orElse("unknown"));
        s.put("protocol", target.map(t -> t.config().mqttVersion()).orElse(ManagementConfig.MQTT_5));
        Bundle[] bundles = context.getBundles();
        long active = java.util.Arrays.stream(bundles).filter(b -> b.getState() == Bundle.ACTIVE).count();
        s.put("bundles", Map.of("total", bundles.length, "active", active));
        ConfigService cs = configService;
        s.put("generation", cs == null ? null : cs.current().map(g -> g.number()).orElse(null));
        s.put("startedAt", startedAt.toString());
        s.put("time", Instant.now().toString());
        return s;
    }

    @Override
    public Map<String, Object> describe() {
        Session.Health h = session.health();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("enabled", session.enabled());
        d.put("deviceId", target.map(t -> t.topics().deviceId()).orElse(hostName));
        d.put("connected", h.connected());
        d.put("broker", h.broker().orElse(null));
        d.put("protocol", target.map(t -> t.config().mqttVersion()).orElse(null));
        d.put("connectedSince", h.since().map(Instant::toString).orElse(null));
        d.put("connects", h.connects());
        d.put("lastError", h.lastError().orElse(null));
        d.put("certificate", certificate().orElse(null));
        d.put("proxy", target.flatMap(t -> proxy(t.config())).filter(p -> h.broker().map(Endpoint::host)
                .map(p::appliesTo).orElse(true)).map(p -> "http://" + p.host() + ":" + p.port()).orElse(null));
        Dispatcher.Counters c = dispatcher.counters();
        d.put("requests", Map.of("received", c.received(), "ignored", c.ignored(), "busy", c.busy(),
                "timedOut", c.timedOut()));
        d.put("outbox", outboxStatus());
        d.put("commands", new java.util.TreeSet<>(handlers.keySet()));
        ManagementConfig.CommandPolicy p = policy;
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

    // --- connections ---------------------------------------------------------------------------------------

    private Transport transport(Endpoint endpoint, Transport.Listener listener) throws Exception {
        return endpoint.mqtt5() ? new Mqtt5Transport(endpoint, listener) : new Mqtt3Transport(endpoint, listener);
    }

    /** One endpoint per broker URI, built at each attempt: the password file and certificates are read now. */
    private List<Endpoint> endpoints(Session.Target t) throws IOException, GeneralSecurityException {
        ManagementConfig m = t.config();
        Optional<char[]> password = m.password().map(String::toCharArray);
        if (m.passwordFile().isPresent()) {
            password = Optional.of(Files.readAllLines(Path.of(m.passwordFile().get()), StandardCharsets.UTF_8)
                    .stream().findFirst().orElse("").toCharArray());
        }
        Optional<SSLSocketFactory> tls = m.brokers().stream().anyMatch(Endpoint::secure)
                ? Optional.of(TlsSockets.factory(tls(m), Optional.of(clockPolicy))) : Optional.empty();
        Optional<ManagementConfig.Proxy> proxy = proxy(m);
        byte[] will = json.bytes(state(false, "connection lost"));
        List<Endpoint> out = new ArrayList<>();
        for (String broker : m.brokers()) {
            Optional<ManagementConfig.Proxy> via = proxy.filter(p -> p.appliesTo(Endpoint.host(broker)));
            SocketFactory sockets = Endpoint.secure(broker)
                    ? via.map(p -> (SocketFactory) ProxiedSockets.tls(tls.get(), p))
                            .orElseGet(() -> NoDelaySockets.tls(tls.get()))
                    : via.map(ProxiedSockets::plain).orElseGet(NoDelaySockets::plain);
            out.add(new Endpoint(broker, "isthmus-" + t.topics().deviceId(), m.mqttVersion(), m.username(), password,
                    m.keepAliveSeconds(), sockets, t.topics().state(), will, config.sessionExpirySeconds()));
        }
        return out;
    }

    /** The document's TLS files, with the set on trial or the installed one in place of its certificate. */
    private Tls tls(ManagementConfig m) throws IOException {
        Optional<CredentialSet> trying = trial;
        return trying.isPresent() ? CredentialStore.with(m.tls(), trying.get()) : credentials.effective(m.tls());
    }

    // --- credentials.rotate --------------------------------------------------------------------------------

    @Override
    public CommandReply rotate(String certificate, String key, Optional<String> ca, Duration window) {
        synchronized (rotation) {
            Optional<Session.Target> t = target;
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
                publish("mgmt", Map.of("event", "credentials rolled back", "reason", refused.get()), Priority.HIGH);
                return CommandReply.error(409, "rolled-back", "credentials rolled back: " + refused.get(),
                        Optional.empty());
            }
            log.info("management: new credentials committed (" + staged.id() + ")");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("result", "committed");
            body.put("certificate", certificate().orElse(null));
            publish("mgmt", Map.of("event", "credentials rotated", "certificate", body.get("certificate")),
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
    private Optional<Map<String, Object>> certificate() {
        Optional<Session.Target> t = target;
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
    private void warnIfExpiring() {
        int days = config.certificateWarningDays();
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
        publish("mgmt", body, Priority.HIGH);
    }

    /** The document's proxy, else the one the service's environment names ({@code https_proxy}). */
    private static Optional<ManagementConfig.Proxy> proxy(ManagementConfig m) {
        return m.proxy().or(() -> ManagementConfig.Proxy.fromEnvironment(System.getenv()));
    }

    // --- the command whiteboard ----------------------------------------------------------------------------

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeHandler")
    void addHandler(ServiceReference<CommandHandler> handler) {
        Object name = handler.getProperty(CommandHandler.COMMAND);
        if (!(name instanceof String command) || !Topics.NAME.matcher(command).matches()) {
            log.warn("management: ignoring a command handler with " + CommandHandler.COMMAND + "=" + name
                    + " (expected 1 to 64 of a-z 0-9 . _ -)");
            return;
        }
        Optional<Duration> timeout = Optional.ofNullable(handler.getProperty(CommandHandler.TIMEOUT_MS))
                .map(v -> Duration.ofMillis(Long.parseLong(String.valueOf(v))));
        BundleContext own = FrameworkUtil.getBundle(ManagementAgent.class).getBundleContext();
        Dispatcher.Registered previous = handlers.put(command, new Dispatcher.Registered(new LazyHandler(own,
                handler), timeout));
        if (previous != null && previous.handler() instanceof LazyHandler lazy) {
            lazy.release();
        }
    }

    void removeHandler(ServiceReference<CommandHandler> handler) {
        Object name = handler.getProperty(CommandHandler.COMMAND);
        if (name instanceof String command) {
            handlers.computeIfPresent(command, (c, r) -> {
                if (r.handler() instanceof LazyHandler lazy && lazy.reference.equals(handler)) {
                    lazy.release();
                    return null;
                }
                return r;
            });
        }
    }

    private Optional<String> property(String name) {
        return Optional.ofNullable(context.getProperty(name));
    }

    private static String hostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_-]", "-");
            return name.isEmpty() ? "isthmus" : name.substring(0, Math.min(64, name.length()));
        } catch (IOException e) {
            return "isthmus";
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
