package io.isthmus.config.impl;

import io.isthmus.api.config.ApplyException;
import io.isthmus.api.config.ApplyResult;
import io.isthmus.api.config.CommitCheck;
import io.isthmus.api.config.ConfigService;
import io.isthmus.api.config.Generation;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.PortKindReader;
import io.isthmus.api.config.SectionApplier;
import io.isthmus.api.config.SectionReader;
import io.isthmus.api.config.SectionValidator;
import io.isthmus.api.config.ValidationError;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
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
 * The OSGi face of the config service: reads the framework properties, tracks the capability
 * whiteboard and starts the boot apply once the framework has started. The work is in {@link ConfigEngine}.
 */
@Component(service = ConfigService.class, immediate = true, configurationPid = ConfigComponent.PID)
@Designate(ocd = ConfigComponent.Config.class)
public class ConfigComponent implements ConfigService {
    static final String PID = "io.isthmus.config";
    static final String DEFAULT_STATE_DIR = "/var/lib/isthmus";

    @ObjectClassDefinition(id = PID, name = "Isthmus config service",
            description = "Generations of the network document and the test-before-commit window")
    public @interface Config {
        @AttributeDefinition(min = "2", description = "Committed generations kept on disk (the current one always is)")
        int keepGenerations() default 10;

        @AttributeDefinition(min = "1", description = "Time all commit checks together may take, in milliseconds")
        long testWindowMs() default 10000;
    }

    // Bound before activate as well as after: must exist from construction on.
    private final Whiteboard whiteboard = new Whiteboard();

    @Reference(service = LoggerFactory.class)
    private Logger logger;

    private volatile ConfigEngine engine;
    private volatile Optional<FrameworkListener> startListener = Optional.empty();
    private BundleContext context;

    @Activate
    void activate(BundleContext context, Config config) throws IOException {
        this.context = context;
        EventLog log = eventLog();
        Path stateDir = Path.of(property(STATE_DIR).orElse(DEFAULT_STATE_DIR));
        GenerationStore store = GenerationStore.open(stateDir, Clock.systemUTC(), log);
        engine = new ConfigEngine(store, profile(log), whiteboard, settings(config), log);
        checkApplyOrder();
        BootFiles files = new BootFiles(property(CONFIG_FILE).map(Path::of), property(DEFAULT_CONFIG_FILE).map(Path::of));
        // Boot once everything is started, so that every capability has registered its section and kind readers
        // (the document is read with them) and its applier: when the framework has started (the launcher), or
        // when a start level change that starts more bundles has ended (a framework started first and raised
        // afterwards, as Pax Exam does); at once when the framework is up and no such change is under way.
        Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
        if (system.getState() == Bundle.ACTIVE && !startLevelRising(system)) {
            // this bundle or the DS runtime restarted under a running framework: the capabilities' readers may
            // register only after this component, so the boot waits for them
            engine.boot(files, true);
        } else {
            FrameworkListener listener = event -> {
                if (event.getType() == FrameworkEvent.STARTED || event.getType() == FrameworkEvent.STARTLEVEL_CHANGED) {
                    engine.boot(files);
                }
            };
            startListener = Optional.of(listener);
            context.addFrameworkListener(listener);
            // A change that ended while the listener was being added tells nobody (boot runs once in any case).
            if (system.getState() == Bundle.ACTIVE && !startLevelRising(system)) {
                engine.boot(files);
            }
        }
    }

    /** Whether a bundle marked to start waits for a start level above the framework's current one. */
    private boolean startLevelRising(Bundle system) {
        FrameworkStartLevel framework = system.adapt(FrameworkStartLevel.class);
        if (framework == null) {
            return false;
        }
        int level = framework.getStartLevel();
        for (Bundle bundle : context.getBundles()) {
            BundleStartLevel start = bundle.adapt(BundleStartLevel.class);
            if (start != null && bundle.getState() != Bundle.UNINSTALLED && start.isPersistentlyStarted()
                    && start.getStartLevel() > level) {
                return true;
            }
        }
        return false;
    }

    /** Says at once, not at the next apply, when the appliers' after/before constraints have a cycle. */
    private void checkApplyOrder() {
        Logger log = logger; // appliers may be bound before the logger
        if (log == null) {
            return;
        }
        try {
            whiteboard.appliers();
        } catch (ApplyException e) {
            log.error("config: " + e.getMessage() + "; every apply fails until an applier in it is gone or fixed");
        }
    }

    @Modified
    void modified(Config config) {
        engine.update(settings(config));
    }

    @Deactivate
    void deactivate() {
        startListener.ifPresent(context::removeFrameworkListener);
        startListener = Optional.empty();
        engine.close();
    }

    private static Settings settings(Config config) {
        return new Settings(config.keepGenerations(), Duration.ofMillis(config.testWindowMs()));
    }

    private Optional<String> property(String name) {
        return Optional.ofNullable(context.getProperty(name)).filter(v -> !v.isBlank());
    }

    /** Without a readable profile the parser still works; documents must then name kind and role. */
    private DeviceProfile profile(EventLog log) {
        Optional<Path> file = property(PROFILE_FILE).map(Path::of);
        try {
            return file.isPresent() ? DeviceProfile.read(file.get()) : DeviceProfile.empty();
        } catch (IOException | RuntimeException e) {
            log.error("cannot read the device profile " + file.get() + "; using no port defaults", e);
            return DeviceProfile.empty();
        }
    }

    private EventLog eventLog() {
        Logger log = logger;
        return new EventLog() {
            @Override
            public void info(String message) {
                log.info(message);
            }

            @Override
            public void warn(String message) {
                log.warn(message);
            }

            @Override
            public void error(String message, Throwable cause) {
                log.error(message, cause);
            }
        };
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeValidator")
    void addValidator(SectionValidator validator, Map<String, Object> properties) {
        whiteboard.addValidator(validator, properties);
        readersChanged();
    }

    private void readersChanged() {
        ConfigEngine running = engine;
        if (running != null) {
            running.readersChanged();
        }
    }

    void removeValidator(SectionValidator validator) {
        whiteboard.removeValidator(validator);
    }

    /** A section's reader: from the next validation on, documents read with it (or, when it left, without it). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeReader")
    void addReader(SectionReader<?> reader, Map<String, Object> properties) {
        if (!whiteboard.addReader(reader, properties)) {
            Logger log = logger;
            if (log != null) {
                log.warn("config: section reader " + properties.get("component.name") + " names no section ("
                        + SectionReader.SECTION + "); ignored");
            }
        }
        readersChanged();
    }

    void removeReader(SectionReader<?> reader) {
        whiteboard.removeReader(reader);
    }

    /** A driver's port kind: from the next validation on, ports may be of that kind (and carry its settings). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeKindReader")
    void addKindReader(PortKindReader reader, Map<String, Object> properties) {
        if (!whiteboard.addKindReader(reader, properties)) {
            Logger log = logger;
            if (log != null) {
                log.warn("config: port kind reader " + properties.get("component.name") + " names no well-formed kind ("
                        + PortKindReader.KIND + "); ignored");
            }
        }
        readersChanged();
    }

    void removeKindReader(PortKindReader reader) {
        whiteboard.removeKindReader(reader);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeApplier")
    void addApplier(SectionApplier applier, Map<String, Object> properties) {
        Whiteboard.NamedApplier named = whiteboard.addApplier(applier, properties);
        checkApplyOrder();
        ConfigEngine running = engine;
        if (running != null) {
            running.adopt(named);
        }
    }

    void removeApplier(SectionApplier applier) {
        whiteboard.removeApplier(applier);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeCheck")
    void addCheck(CommitCheck check) {
        whiteboard.addCheck(check);
    }

    void removeCheck(CommitCheck check) {
        whiteboard.removeCheck(check);
    }

    @Override
    public List<ValidationError> validate(String json) {
        return engine.validate(json);
    }

    @Override
    public ApplyResult apply(String json, String source) {
        return engine.apply(json, source);
    }

    @Override
    public io.isthmus.api.config.Preview preview(String json) {
        return engine.preview(json);
    }

    @Override
    public Optional<Generation> current() {
        return engine.current();
    }

    @Override
    public Optional<NetworkDocument> currentDocument() {
        return engine.currentDocument();
    }

    @Override
    public Optional<String> json(long generation) {
        return engine.json(generation);
    }

    @Override
    public List<Generation> history() {
        return engine.history();
    }

    @Override
    public ApplyResult rollback(long generation, String source) {
        return engine.rollback(generation, source);
    }

    @Override
    public CompletionStage<ApplyResult> bootApplied() {
        return engine.bootApplied();
    }
}
