package io.isthmus.deploy;

import io.isthmus.api.config.ConfigService;
import io.isthmus.api.config.ManagementConfig;
import io.isthmus.api.deploy.DeployedBundles;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.json.JsonValueException;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.api.mgmt.EventPublisher;
import io.isthmus.api.mgmt.EventRelay;
import io.isthmus.api.mgmt.ManagementSession;
import io.isthmus.api.runtime.ProtectedBundles;
import io.isthmus.state.BundleLocation;
import io.isthmus.state.DeployStoreFile;
import io.isthmus.state.StoreEntry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Field updates of single bundles (docs/deploy.md): accepts a job, receives the jar (inline chunks or a URL),
 * verifies it before anything changes, records the change as pending in the store, changes the bundle, watches it
 * through the health window, and commits — or puts the committed jar back and says why. One job per bundle.
 */
@Component(service = {Deployer.class, DeployedBundles.class}, immediate = true, configurationPid = Deployer.PID)
@Designate(ocd = Deployer.Config.class)
public class Deployer implements DeployedBundles {
    static final String PID = "io.isthmus.deploy";
    static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    static final Pattern SYMBOLIC_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,255}");
    static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern URL = Pattern.compile("https?://[^\\s]{1,2000}");
    static final String SELF = "io.isthmus.deploy";
    private static final long PROGRESS_EVERY_MS = 1000;

    @ObjectClassDefinition(id = PID, name = "Isthmus deploy", description = "Field updates of single bundles")
    public @interface Config {
        @AttributeDefinition(description = "Refuse bundles not signed by a certificate of the trust store. "
                + "The system property isthmus.deploy.requireSigned=false overrides it (labs only)")
        boolean requireSigned() default true;

        @AttributeDefinition(description = "Trust store: a PKCS12 file or a directory of PEM certificates; "
                + "empty: <state>/deploy/trusted")
        String trustStore() default "";

        String trustStorePassword() default "";

        @AttributeDefinition(description = "Certificates for HTTPS downloads (PKCS12 or PEM directory); empty: "
                + "<state>/deploy/https-trusted if it exists, else the JVM's default CAs")
        String httpsTrustStore() default "";

        @AttributeDefinition(description = "Health window after a change, in ms, unless the request sets one")
        long healthWindowMs() default 30000;

        @AttributeDefinition(description = "How long everything must be healthy together before commit, in ms")
        long settleMs() default 1000;

        @AttributeDefinition(description = "One TCP connection attempt to the management broker, in ms")
        long brokerProbeMs() default 3000;

        long maxBundleBytes() default 67108864;

        long downloadTimeoutMs() default 30000;
    }

    private final BundleContext context;
    private final Config config;
    private final Logger log;
    private final Store store;
    private final JobBook book;
    private final BundleChange change;
    private final ExecutorService workers;
    private final Set<String> processing = ConcurrentHashMap.newKeySet();
    private final Map<String, long[]> lastProgress = new ConcurrentHashMap<>();

    /** evt/deploy; an outcome decided in the constructor (a restart mid-change) waits here for the agent. */
    private final EventRelay events = new EventRelay();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServiceComponentRuntime scr;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigService configService;

    /** Optional: goes away while the mgmt bundle itself is updated, and must come back connected. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ManagementSession managementSession;

    @Activate
    public Deployer(BundleContext context, Config config, @Reference(service = LoggerFactory.class) Logger log)
            throws IOException {
        this.context = context;
        this.config = config;
        this.log = log;
        Path root = DeployStoreFile.root(stateDir(context));
        this.store = Store.open(root);
        this.book = JobBook.open(root.resolve("jobs.json"));
        this.change = new BundleChange(context, store, new Health(context, () -> Optional.ofNullable(scr)), log,
                () -> Optional.ofNullable(configService).flatMap(ConfigService::currentDocument),
                () -> Optional.ofNullable(managementSession),
                Duration.ofMillis(config.settleMs()), Duration.ofMillis(config.brokerProbeMs()),
                new BundleChange.Progress() {
                    @Override
                    public void state(Job job, Job.State state) {
                        transition(job, state);
                    }

                    @Override
                    public void end(Job job, Job.State outcome, String reason) {
                        Deployer.this.end(job, outcome, reason);
                    }
                });
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "isthmus-deploy-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        resumeAfterRestart();
        for (StoreEntry pending : store.entries().values()) {
            if (pending.pending().isPresent()) {
                workers.execute(() -> {
                    try {
                        change.recover(pending);
                    } catch (IOException e) {
                        log.error("deploy: cannot clear the pending change of " + pending.bsn() + ": " + e, e);
                    }
                });
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindEvents(EventPublisher publisher) {
        events.bind(publisher);
    }

    void unbindEvents(EventPublisher publisher) {
        events.unbind(publisher);
    }

    @Deactivate
    void deactivate() {
        workers.shutdownNow();
    }

    /** The launcher's state dir (it reads the store at boot), else this bundle's data area (tests). */
    static Path stateDir(BundleContext context) {
        String dir = context.getProperty(ConfigService.STATE_DIR);
        return dir != null ? Path.of(dir) : context.getDataFile("").toPath();
    }

    // --- commands ------------------------------------------------------------------------------------------

    /** bundle.install / bundle.update: accepts the job (it runs asynchronously). */
    CommandReply submit(Job.Kind kind, Map<String, Object> request) {
        try {
            JsonValue r = JsonValue.root(request);
            Optional<String> jobId = r.optional("job").map(v -> v.string(JOB_ID, "1 to 64 of A-Z a-z 0-9 . _ -"));
            if (jobId.isPresent() && book.get(jobId.get()).isPresent()) {
                return accepted(book.get(jobId.get()).get()); // the same job again: its state, not a new job
            }
            Optional<String> name = r.optional("bundle").map(v -> v.string(SYMBOLIC_NAME, "a bundle symbolic name"));
            String sha256 = r.member("sha256", "64 hex digits").string(SHA256, "64 hex digits").toLowerCase();
            long size = r.member("size", "an integer 1.." + config.maxBundleBytes()).integer(1, config.maxBundleBytes());
            Job.Source source = source(r, size);
            boolean refresh = r.optional("refresh").map(JsonValue::bool).orElse(false);
            Duration window = Duration.ofMillis(r.optional("healthWindowMs").map(v -> v.integer(1000, 600000))
                    .orElse(config.healthWindowMs()));
            String bundle;
            if (kind == Job.Kind.update) {
                bundle = name.orElseThrow(() -> BadInput.bad("/bundle", "missing: expected a bundle symbolic name"));
                Bundle target = find(bundle);
                untouchable(target).ifPresent(why -> {
                    throw new BadInput(409, "refused", "/bundle", why);
                });
            } else {
                bundle = name.orElse("sha256:" + sha256);
                if (name.isPresent() && installed(bundle).isPresent()) {
                    throw new BadInput(409, "exists", "/bundle", bundle + " is already installed: use bundle.update");
                }
            }
            Job job = new Job(jobId.orElseGet(() -> UUID.randomUUID().toString()), kind, bundle, Optional.of(sha256),
                    size, source, refresh, window);
            if (source instanceof Job.Inline in) {
                job.progress(0, java.util.stream.IntStream.range(0, Math.min(in.chunks(),
                        InlineTransfer.MAX_MISSING_LISTED)).boxed().toList());
            }
            Optional<Job> busy = book.addUnlessBusy(job);
            if (busy.isPresent()) {
                return busy(busy.get());
            }
            log.info("deploy: job " + job.id + ": " + kind + " " + bundle + " (" + size + " bytes, "
                    + (source instanceof Job.Url u ? u.url() : "inline") + ")");
            publish(job, true);
            if (source instanceof Job.Url) {
                workers.execute(() -> download(job));
            }
            return accepted(job);
        } catch (BadInput e) {
            return e.reply();
        } catch (JsonValueException e) {
            return BadInput.bad(e.pointer(), e.reason()).reply();
        } catch (IOException e) {
            return CommandReply.error(500, "store", "cannot record the job: " + e.getMessage(), Optional.empty());
        }
    }

    /** bundle.chunk: stores one chunk; when all are in, the job proceeds. */
    CommandReply chunk(Map<String, Object> request) {
        try {
            Job job = job(request);
            if (!(job.source instanceof Job.Inline inline)) {
                throw new BadInput(409, "not-inline", "/job", "job " + job.id + " does not take chunks (its source is "
                        + "a URL or none)");
            }
            InlineTransfer transfer = new InlineTransfer(store.incoming(job.id), job.size, inline.chunkSize());
            if (job.state() != Job.State.receiving) {
                return CommandReply.ok(Map.of("received", inline.chunks(), "missing", List.of(), "state",
                        job.state().name()));
            }
            JsonValue r = JsonValue.root(request);
            int index = (int) r.member("index", "an integer 0.." + (inline.chunks() - 1)).integer(0,
                    inline.chunks() - 1);
            JsonValue text = r.member("data", "the chunk as a base64 string");
            if (!text.isString()) {
                throw BadInput.bad("/data", "expected the chunk as a base64 string, got " + text.describe());
            }
            String s = text.string();
            byte[] data;
            try {
                data = Base64.getDecoder().decode(s);
            } catch (IllegalArgumentException e) {
                throw BadInput.bad("/data", "not base64: " + e.getMessage());
            }
            if (data.length != transfer.expectedLength(index)) {
                throw BadInput.bad("/data", "chunk " + index + " must have " + transfer.expectedLength(index)
                        + " bytes, has " + data.length);
            }
            transfer.put(index, data);
            List<Integer> missing = transfer.missing(InlineTransfer.MAX_MISSING_LISTED);
            job.progress(transfer.bytes(), missing);
            publish(job, false);
            if (missing.isEmpty() && processing.add(job.id)) {
                workers.execute(() -> process(job, transfer::assemble));
            }
            return CommandReply.ok(Map.of("received", transfer.received(), "missing", missing));
        } catch (BadInput e) {
            return e.reply();
        } catch (JsonValueException e) {
            return BadInput.bad(e.pointer(), e.reason()).reply();
        } catch (IOException e) {
            return CommandReply.error(500, "store", "cannot store the chunk: " + e.getMessage(), Optional.empty());
        }
    }

    /** bundle.job: the job as it is now, or its outcome. */
    CommandReply describeJob(Map<String, Object> request) {
        try {
            return CommandReply.ok(job(request).view());
        } catch (BadInput e) {
            return e.reply();
        } catch (JsonValueException e) {
            return BadInput.bad(e.pointer(), e.reason()).reply();
        }
    }

    /** bundle.rollback: back to the previous committed jar, through the same health window. */
    CommandReply rollback(Map<String, Object> request) {
        return change(request, Job.Kind.rollback);
    }

    /** bundle.uninstall: only bundles installed in the field, and none the gateway cannot lose. */
    CommandReply uninstall(Map<String, Object> request, ProtectedBundles protection) {
        return change(request, Job.Kind.uninstall, Optional.of(protection));
    }

    private CommandReply change(Map<String, Object> request, Job.Kind kind) {
        return change(request, kind, Optional.empty());
    }

    private CommandReply change(Map<String, Object> request, Job.Kind kind, Optional<ProtectedBundles> protection) {
        try {
            JsonValue r = JsonValue.root(request);
            String name = r.member("bundle", "a bundle symbolic name").string(SYMBOLIC_NAME, "a bundle symbolic name");
            Optional<String> jobId = r.optional("job").map(v -> v.string(JOB_ID, "1 to 64 of A-Z a-z 0-9 . _ -"));
            if (jobId.isPresent() && book.get(jobId.get()).isPresent()) {
                return accepted(book.get(jobId.get()).get());
            }
            Duration window = Duration.ofMillis(r.optional("healthWindowMs").map(v -> v.integer(1000, 600000))
                    .orElse(config.healthWindowMs()));
            Bundle bundle = find(name);
            untouchable(bundle).ifPresent(why -> {
                throw new BadInput(409, "refused", "/bundle", why);
            });
            Optional<StoreEntry> entry = store.entry(bundle.getLocation());
            Optional<String> sha = Optional.empty();
            if (kind == Job.Kind.rollback) {
                StoreEntry.JarRef previous = entry.flatMap(StoreEntry::previous).orElseThrow(() -> new BadInput(409,
                        "no-previous", "/bundle", name + " has no previous version in the store"));
                sha = Optional.of(previous.sha256());
            } else {
                Optional<String> needed = protection.flatMap(p -> p.whyProtected(bundle.getBundleId()));
                if (!BundleLocation.isField(bundle.getLocation())) {
                    throw new BadInput(409, "distribution-bundle", "/bundle", name + " comes with the distribution "
                            + "and cannot be uninstalled; " + needed.map(why -> "bundle.stop refuses it too: " + why)
                                    .orElse("stop it with bundle.stop instead"));
                }
                needed.ifPresent(why -> {
                    throw new BadInput(409, "refused", "/bundle", why + ": it cannot be uninstalled remotely");
                });
            }
            Job job = new Job(jobId.orElseGet(() -> UUID.randomUUID().toString()), kind, name, sha, 0,
                    new Job.None(), false, window);
            job.state(Job.State.installing); // nothing to receive or verify: the store has the jar
            Optional<Job> busy = book.addUnlessBusy(job);
            if (busy.isPresent()) {
                return busy(busy.get());
            }
            log.info("deploy: job " + job.id + ": " + kind + " " + name);
            processing.add(job.id);
            workers.execute(() -> process(job, () -> null));
            return accepted(job);
        } catch (BadInput e) {
            return e.reply();
        } catch (JsonValueException e) {
            return BadInput.bad(e.pointer(), e.reason()).reply();
        } catch (IOException e) {
            return CommandReply.error(500, "store", "cannot record the job: " + e.getMessage(), Optional.empty());
        }
    }

    // --- DeployedBundles (bundles.list) ---------------------------------------------------------------------

    @Override
    public Optional<Deployed> describe(String location) {
        return store.entry(location).map(e -> new Deployed(e.origin(), e.previous().map(StoreEntry.JarRef::version),
                e.current().map(StoreEntry.JarRef::sha256)));
    }

    // --- the flow --------------------------------------------------------------------------------------------

    private interface JarSource {
        Path get() throws IOException, InterruptedException, Refused;
    }

    /** The management proxy (the document's, else the service's environment's): downloads go where MQTT goes. */
    private Optional<ManagementConfig.Proxy> proxy() {
        return Optional.ofNullable(configService).flatMap(ConfigService::currentDocument)
                .flatMap(d -> d.management().proxy())
                .or(() -> ManagementConfig.Proxy.fromEnvironment(System.getenv()));
    }

    private void download(Job job) {
        processing.add(job.id);
        process(job, () -> {
            Job.Url url = (Job.Url) job.source;
            UrlTransfer t;
            try {
                t = new UrlTransfer(trust(config.httpsTrustStore(), "https-trusted"),
                        Duration.ofMillis(config.downloadTimeoutMs()), proxy());
            } catch (java.security.GeneralSecurityException e) {
                throw new Refused("HTTPS trust store unusable: " + e.getMessage());
            }
            return t.fetch(URI.create(url.url()), job.size, store.incoming(job.id), n -> {
                job.progress(n, List.of());
                publish(job, false);
            });
        });
    }

    /** Receive (the rest of) the jar, verify, change, watch, commit or restore. On a worker thread. */
    private void process(Job job, JarSource source) {
        try {
            Path jar = source.get();
            if (job.kind == Job.Kind.install || job.kind == Job.Kind.update) {
                transition(job, Job.State.verifying);
                Candidate c = verify(job, jar);
                change.run(job, Optional.of(c), installed(c.symbolicName()));
            } else {
                change.run(job, Optional.empty(), Optional.of(find(job.bundle)));
            }
        } catch (Refused e) {
            end(job, Job.State.rejected, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopping: the launcher puts the committed jar back at next boot
        } catch (BadInput e) {
            end(job, Job.State.rejected, e.getMessage());
        } catch (IOException | BundleException | RuntimeException e) {
            log.error("deploy: job " + job.id + " failed: " + e, e);
            end(job, Job.State.failed, String.valueOf(e.getMessage()));
        } finally {
            processing.remove(job.id);
            lastProgress.remove(job.id);
            if (job.state().terminal()) {
                store.dropIncoming(job.id);
            }
        }
    }

    private Candidate verify(Job job, Path jar) throws Refused, IOException {
        JarCheck.Policy policy;
        try {
            policy = new JarCheck.Policy(requireSigned(), trust(config.trustStore(), "trusted").orElseGet(
                    () -> new TrustStore(Set.of())));
        } catch (java.security.GeneralSecurityException e) {
            throw new Refused("signature: the trust store cannot be read: " + e.getMessage());
        }
        Candidate c = JarCheck.inspect(jar, job.size, job.sha256, policy);
        if (job.kind == Job.Kind.update && !c.symbolicName().equals(job.bundle)) {
            throw new Refused("Bundle-SymbolicName " + c.symbolicName() + " does not match the bundle to update, "
                    + job.bundle);
        }
        if (job.kind == Job.Kind.install && !job.bundle.startsWith("sha256:") && !c.symbolicName().equals(job.bundle)) {
            throw new Refused("Bundle-SymbolicName " + c.symbolicName() + " does not match the request, " + job.bundle);
        }
        if (SELF.equals(c.symbolicName()) || Constants.SYSTEM_BUNDLE_SYMBOLICNAME.equals(c.symbolicName())) {
            throw new Refused(c.symbolicName() + " changes only with a distribution upgrade");
        }
        Optional<Bundle> existing = installed(c.symbolicName());
        if (job.kind == Job.Kind.install && existing.isPresent()) {
            throw new Refused(c.symbolicName() + " is already installed: use bundle.update");
        }
        ResolveCheck.resolvable(context, c, existing);
        if (existing.isPresent()) {
            Set<Bundle> broken = ResolveCheck.brokenImporters(existing.get(), c);
            if (!broken.isEmpty() && !job.refresh) {
                throw new Refused("exports changed packages used by " + broken.stream().map(Bundle::getSymbolicName)
                        .distinct().collect(Collectors.joining(", ")) + ": needs refresh=true");
            }
            if (job.refresh && change.refreshClosure(existing.get()).stream().anyMatch(b -> SELF.equals(b.getSymbolicName()))) {
                throw new Refused("a refresh of " + c.symbolicName() + " would restart " + SELF
                        + " itself: ship it with a distribution upgrade");
            }
        }
        return c;
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    private boolean requireSigned() {
        String override = context.getProperty("isthmus.deploy.requireSigned");
        return override == null ? config.requireSigned() : Boolean.parseBoolean(override);
    }

    /** The configured trust store, else the directory of that name in the store (absent: none). */
    private Optional<TrustStore> trust(String configured, String fallback) throws IOException,
            java.security.GeneralSecurityException {
        Path where = configured.isBlank() ? store.root().resolve(fallback) : Path.of(configured);
        if (!Files.exists(where)) {
            return Optional.empty();
        }
        return Optional.of(TrustStore.load(where, config.trustStorePassword().toCharArray()));
    }

    private Job.Source source(JsonValue request, long size) {
        JsonValue source = request.member("source", "{\"url\": …} or {\"inline\": {\"chunkSize\": …}}").object();
        Optional<JsonValue> inline = source.optional("inline").map(JsonValue::object);
        Optional<String> url = source.optional("url").map(v -> v.string(URL, "an https:// or http:// URL"));
        if (inline.isPresent() == url.isPresent()) {
            throw BadInput.bad("/source", "expected exactly one of \"url\" and \"inline\"");
        }
        if (url.isPresent()) {
            try {
                URI u = URI.create(url.get());
                if (u.getHost() == null) {
                    throw BadInput.bad("/source/url", "no host in " + url.get());
                }
            } catch (IllegalArgumentException e) {
                throw BadInput.bad("/source/url", "not a URL: " + e.getMessage());
            }
            return new Job.Url(url.get());
        }
        int chunkSize = (int) inline.get().member("chunkSize", "an integer 1.." + InlineTransfer.MAX_CHUNK)
                .integer(1, InlineTransfer.MAX_CHUNK);
        return new Job.Inline(chunkSize, InlineTransfer.chunks(size, chunkSize));
    }

    private Job job(Map<String, Object> request) {
        String id = JsonValue.root(request).member("job", "a job id").string(JOB_ID, "a job id");
        return book.get(id).orElseThrow(() -> new BadInput(404, "not-found", "/job", "no job " + id));
    }

    private Bundle find(String name) {
        return installed(name).orElseThrow(() -> new BadInput(404, "not-found", "/bundle", "no bundle " + name
                + " is installed"));
    }

    private Optional<Bundle> installed(String name) {
        return Arrays.stream(context.getBundles()).filter(b -> name.equals(b.getSymbolicName())
                && b.getState() != Bundle.UNINSTALLED).findFirst();
    }

    private static Optional<String> untouchable(Bundle b) {
        if (b.getBundleId() == 0) {
            return Optional.of("the framework changes only with a distribution upgrade");
        }
        if (SELF.equals(b.getSymbolicName())) {
            return Optional.of(SELF + " changes only with a distribution upgrade (it would have to watch itself)");
        }
        return Optional.empty();
    }

    private CommandReply accepted(Job job) {
        Map<String, Object> body = new LinkedHashMap<>(job.view());
        if (job.source instanceof Job.Inline in) {
            body.put("chunks", in.chunks());
        }
        return CommandReply.ok(body);
    }

    private static CommandReply busy(Job running) {
        return new CommandReply(409, Map.of("job", running.id, "state", running.state().name()), Optional.of(
                new CommandReply.Error("busy", "job " + running.id + " for " + running.bundle + " is running ("
                        + running.state() + "); one job per bundle at a time", Optional.of("/bundle"))));
    }

    private void transition(Job job, Job.State state) {
        job.state(state);
        save();
        publish(job, true);
    }

    private void end(Job job, Job.State state, String reason) {
        job.finish(state, Optional.ofNullable(reason));
        save();
        log.info("deploy: job " + job.id + ": " + job.bundle + " " + state + (reason == null ? "" : ": " + reason));
        publish(job, true);
    }

    private void save() {
        try {
            book.save();
        } catch (IOException e) {
            log.error("deploy: cannot write jobs.json: " + e.getMessage(), e);
        }
    }

    /** evt/deploy: every state change; progress at most every 5 % or once a second. */
    private void publish(Job job, boolean stateChange) {
        if (!stateChange) {
            long now = System.currentTimeMillis();
            long[] last = lastProgress.computeIfAbsent(job.id, k -> new long[] {-100, 0});
            int percent = job.percent();
            synchronized (last) {
                if (percent < 100 && percent - last[0] < 5 && now - last[1] < PROGRESS_EVERY_MS) {
                    return;
                }
                last[0] = percent;
                last[1] = now;
            }
        }
        try {
            // while mgmt itself is being updated, or before it is bound: kept by the relay until it is
            events.publish("deploy", job.view(), stateChange ? EventPublisher.Priority.HIGH : EventPublisher.Priority.LOW);
        } catch (RuntimeException e) {
            log.warn("deploy: event not queued: " + e.getMessage());
        }
    }

    /**
     * After a restart: transfers pick up where they were (inline chunks stay, downloads resume); a job that was
     * past receiving was interrupted, and the launcher has already booted the committed jar — the store says which.
     */
    private void resumeAfterRestart() {
        for (Job job : book.unfinished()) {
            if (job.state() == Job.State.receiving) {
                if (job.source instanceof Job.Url) {
                    workers.execute(() -> download(job));
                } else if (job.source instanceof Job.Inline in) {
                    try {
                        InlineTransfer t = new InlineTransfer(store.incoming(job.id), job.size, in.chunkSize());
                        job.progress(t.bytes(), t.missing(InlineTransfer.MAX_MISSING_LISTED));
                        if (t.complete() && processing.add(job.id)) {
                            workers.execute(() -> process(job, t::assemble));
                        }
                    } catch (IOException e) {
                        end(job, Job.State.failed, "incoming chunks unreadable after restart: " + e.getMessage());
                    }
                }
                continue;
            }
            Optional<StoreEntry> entry = store.entries().values().stream().filter(e -> e.bsn().equals(job.bundle))
                    .findFirst();
            boolean landed = job.kind == Job.Kind.uninstall ? entry.isEmpty() && installed(job.bundle).isEmpty()
                    : entry.flatMap(StoreEntry::current).map(StoreEntry.JarRef::sha256)
                            .equals(job.sha256.or(() -> Optional.of("?")));
            if (landed) {
                end(job, Job.State.committed, "committed before the gateway restarted");
            } else {
                end(job, Job.State.failed, "interrupted by a restart during " + job.state() + "; it runs the committed "
                        + "version " + entry.flatMap(StoreEntry::current).map(StoreEntry.JarRef::version)
                                .orElse("(none: not installed)"));
            }
        }
    }
}
