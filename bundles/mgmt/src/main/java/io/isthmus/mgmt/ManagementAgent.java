package io.isthmus.mgmt;

import io.isthmus.api.config.CommitCheck;
import io.isthmus.api.config.ConfigService;
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
import io.isthmus.mgmt.credentials.CredentialStore;
import io.isthmus.mgmt.dispatch.CommandLanes;
import io.isthmus.mgmt.dispatch.Dispatcher;
import io.isthmus.mgmt.dispatch.JsonCodec;
import io.isthmus.mgmt.dispatch.LazyHandler;
import io.isthmus.mgmt.dispatch.ReplyCache;
import io.isthmus.mgmt.transport.Backoff;
import io.isthmus.mgmt.transport.BrokerProbe;
import io.isthmus.mgmt.transport.ClockPolicy;
import io.isthmus.mgmt.transport.FileJournal;
import io.isthmus.mgmt.transport.Outbox;
import io.isthmus.mgmt.transport.Quietly;
import io.isthmus.mgmt.transport.Sender;
import io.isthmus.mgmt.transport.Session;
import io.isthmus.mgmt.transport.Topics;
import io.isthmus.mgmt.transport.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * With no brokers in the document it stays disconnected and says so. This component owns the connection's
 * lifecycle, the event queue and the command whiteboard, and wires the rest: {@link Reconfiguration} (the section),
 * {@link BrokerEndpoints} (what a connection attempt uses), {@link BrokerReachableCheck} (the commit check),
 * {@link CredentialRotator} (the client certificate), {@link StatusReport} (retained state, status).
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

        @AttributeDefinition(description = "MQTT 5 Last Will delay in seconds: a connection ended without a clean "
                + "DISCONNECT (a death, a lost link, a reconnect on purpose) says offline this much later, unless the "
                + "agent is back within it")
        long willDelaySeconds() default 5;

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
    private Outbox outbox;
    private ScheduledExecutorService timer;
    private CommandLanes lanes;
    private Dispatcher dispatcher;
    private Session session;
    private Sender sender;
    private final BrokerProbe probe = new BrokerProbe();
    /** Events published before the first document named (or did not name) a broker: kept until it does. */
    private final EarlyEvents early = new EarlyEvents(EARLY_EVENTS);
    static final int EARLY_EVENTS = 256;
    /** credentials.rotate and the commit check each reconnect to judge a connection: one at a time. */
    private final Object rotation = new Object();
    private Reconfiguration settings;
    private BrokerEndpoints endpoints;
    private CredentialRotator credentials;
    private BrokerReachableCheck check;
    private StatusReport status;

    @Activate
    void activate(BundleContext context, Config config) throws IOException {
        this.context = context;
        String hostName = hostName();
        ClockPolicy clockPolicy = ClockPolicy.of(context::getProperty, () -> Optional.ofNullable(time)
                .map(TimeKeeper::clockState).orElse(ClockState.UNKEPT), e -> log.error("management: " + e));
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
        CredentialStore installed = new CredentialStore(context.getDataFile("credentials").toPath());
        try {
            installed.recover();
        } catch (IOException e) {
            log.error("management: installed credentials unreadable, using the document's: " + e.getMessage());
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "isthmus-mgmt-timer"));
        timer.scheduleAtFixedRate(() -> Quietly.run(this::warnIfExpiring), 1, 1, TimeUnit.HOURS);
        lanes = new CommandLanes(config.commandConcurrency(), config.commandQueue(), config.commandThreads());
        dispatcher = new Dispatcher(handlers, () -> settings.target().map(Session.Target::topics), json,
                new ReplyCache(Duration.ofMillis(config.dedupWindowMs()), config.dedupMaxIds(), System::nanoTime),
                lanes, timer, new Dispatcher.Limits(config.maxPayloadBytes(),
                        Duration.ofMillis(config.handlerTimeoutMs())), this::queueReply, log::warn);
        dispatcher.policy(this::forbidden);
        session = new Session(BrokerEndpoints::transport, t -> endpoints.endpoints(t), new Session.Listener() {
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
        settings = new Reconfiguration(session, early, hostName, this::queue, log);
        credentials = new CredentialRotator(installed, session, probe, settings, this,
                config.certificateWarningDays(), rotation, log);
        endpoints = new BrokerEndpoints(credentials::tls, clockPolicy,
                () -> json.bytes(status.state(false, "connection lost")), config.sessionExpirySeconds(),
                config.willDelaySeconds());
        check = new BrokerReachableCheck(session, probe, settings, config.brokerWindowMs(), rotation, log);
        sender = new Sender(outbox, session, SEND_WINDOW);
        status = new StatusReport(context, hostName, startedAt, () -> configService, settings, session, dispatcher,
                handlers, outbox, sender, credentials);
        if (outbox.size() > 0) {
            log.info("management: " + outbox.size() + " messages waiting in the outbox from before the restart");
        }
        Optional.ofNullable(configService).ifPresent(this::watchBoot);
    }

    @Deactivate
    void deactivate() {
        sender.close();
        // A clean goodbye: the Last Will is only for deaths, so say offline ourselves — on the connection in force
        // once the session's loop has stopped (one being made meanwhile would end cleanly without it otherwise).
        Optional<Session.Target> t = settings.target();
        session.close(tr -> t.isPresent() && Quietly.ok(() -> tr.publish(t.get().topics().state(),
                json.bytes(status.state(false, "stopped")), true, Optional.empty()).get(1, TimeUnit.SECONDS)));
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

    // --- the document's management section: Reconfiguration ------------------------------------------------

    @Override
    public void apply(NetworkDocument document) {
        settings.apply(document);
    }

    @Override
    public List<String> preview(NetworkDocument document) {
        return settings.preview(document);
    }

    /** 403 reason for a command the document's policy does not allow. */
    private Optional<String> forbidden(String command) {
        return settings.forbidden(command);
    }

    // --- test before commit: BrokerReachableCheck ----------------------------------------------------------

    @Override
    public String name() {
        return CHECK_NAME;
    }

    @Override
    public void beforeApply(NetworkDocument next) {
        check.beforeApply(next);
    }

    @Override
    public Optional<String> check(NetworkDocument applied, Duration window) {
        return check.check(applied, window);
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
        return settings.target().isPresent();
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
        Optional<Topics> topics = settings.target().map(Session.Target::topics);
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

    // --- state: StatusReport ------------------------------------------------------------------------------

    private void onConnected(Transport transport) {
        Session.Target t = settings.target().orElse(null);
        if (t == null) {
            return;
        }
        log.info("management: connected to " + transport.broker() + " as " + t.topics().deviceId());
        transport.publish(t.topics().state(), json.bytes(status.state(true, "connected")), true, Optional.empty());
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
        Optional<Session.Target> t = settings.target();
        session.transport().ifPresent(tr -> t.ifPresent(x -> tr.publish(x.topics().state(),
                json.bytes(status.state(true, "connected")), true, Optional.empty())));
    }

    @Override
    public Map<String, Object> describe() {
        return status.describe();
    }

    // --- credentials.rotate: CredentialRotator -------------------------------------------------------------

    @Override
    public CommandReply rotate(String certificate, String key, Optional<String> ca, Duration window) {
        return credentials.rotate(certificate, key, ca, window);
    }

    private void warnIfExpiring() {
        credentials.warnIfExpiring();
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
