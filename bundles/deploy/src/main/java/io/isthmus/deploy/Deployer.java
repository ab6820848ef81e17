package io.isthmus.deploy;

import io.isthmus.api.config.ConfigService;
import io.isthmus.api.config.ManagementConfig;
import io.isthmus.api.deploy.DeployedBundles;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.api.mgmt.EventPublisher;
import io.isthmus.api.mgmt.EventRelay;
import io.isthmus.api.mgmt.ManagementSession;
import io.isthmus.api.runtime.ProtectedBundles;
import io.isthmus.state.DeployStoreFile;
import io.isthmus.state.StoreEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.BundleContext;
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
 * This component wires the parts: {@link JobIntake} (the requests), {@link JobRunner} (the worker threads),
 * {@link JarVerifier}, {@link BundleChange} (change and health window), {@link JobRecorder} (jobs.json, evt/deploy).
 */
@Component(service = {Deployer.class, DeployedBundles.class}, immediate = true, configurationPid = Deployer.PID)
@Designate(ocd = Deployer.Config.class)
public class Deployer implements DeployedBundles {
    static final String PID = "io.isthmus.deploy";
    static final String SELF = "io.isthmus.deploy";

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

    private final Store store;
    private final JobIntake intake;
    private final JobRunner runner;

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
        Path root = DeployStoreFile.root(stateDir(context));
        this.store = Store.open(root);
        JobBook book = JobBook.open(root.resolve("jobs.json"));
        JobRecorder recorder = new JobRecorder(book, events, log);
        InstalledBundles bundles = new InstalledBundles(context);
        BundleChange change = new BundleChange(context, store, new Health(context, () -> Optional.ofNullable(scr)),
                log, () -> Optional.ofNullable(configService).flatMap(ConfigService::currentDocument),
                () -> Optional.ofNullable(managementSession),
                Duration.ofMillis(config.settleMs()), Duration.ofMillis(config.brokerProbeMs()),
                new BundleChange.Progress() {
                    @Override
                    public void state(Job job, Job.State state) {
                        recorder.transition(job, state);
                    }

                    @Override
                    public void end(Job job, Job.State outcome, String reason) {
                        recorder.end(job, outcome, reason);
                    }
                });
        this.runner = new JobRunner(config, log, store, book, change,
                new JarVerifier(context, config, store, bundles, change), bundles, recorder, this::proxy);
        this.intake = new JobIntake(config, log, store, book, bundles, recorder, runner);
        runner.resumeAfterRestart();
        runner.recoverPending();
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
        runner.stop();
    }

    /** The launcher's state dir (it reads the store at boot), else this bundle's data area (tests). */
    static Path stateDir(BundleContext context) {
        String dir = context.getProperty(ConfigService.STATE_DIR);
        return dir != null ? Path.of(dir) : context.getDataFile("").toPath();
    }

    // --- commands ------------------------------------------------------------------------------------------

    /** bundle.install / bundle.update: accepts the job (it runs asynchronously). */
    CommandReply submit(Job.Kind kind, Map<String, Object> request) {
        return intake.submit(kind, request);
    }

    /** bundle.chunk: stores one chunk; when all are in, the job proceeds. */
    CommandReply chunk(Map<String, Object> request) {
        return intake.chunk(request);
    }

    /** bundle.job: the job as it is now, or its outcome. */
    CommandReply describeJob(Map<String, Object> request) {
        return intake.describeJob(request);
    }

    /** bundle.rollback: back to the previous committed jar, through the same health window. */
    CommandReply rollback(Map<String, Object> request) {
        return intake.rollback(request);
    }

    /** bundle.uninstall: only bundles installed in the field, and none the gateway cannot lose. */
    CommandReply uninstall(Map<String, Object> request, ProtectedBundles protection) {
        return intake.uninstall(request, protection);
    }

    // --- DeployedBundles (bundles.list) ---------------------------------------------------------------------

    @Override
    public Optional<Deployed> describe(String location) {
        return store.entry(location).map(e -> new Deployed(e.origin(), e.previous().map(StoreEntry.JarRef::version),
                e.current().map(StoreEntry.JarRef::sha256)));
    }

    /** The management proxy (the document's, else the service's environment's): downloads go where MQTT goes. */
    private Optional<ManagementConfig.Proxy> proxy() {
        return Optional.ofNullable(configService).flatMap(ConfigService::currentDocument)
                .flatMap(d -> d.management().proxy())
                .or(() -> ManagementConfig.Proxy.fromEnvironment(System.getenv()));
    }
}
