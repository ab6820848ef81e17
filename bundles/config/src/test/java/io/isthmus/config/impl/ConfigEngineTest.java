package io.isthmus.config.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.config.ApplyException;
import io.isthmus.api.config.ApplyResult;
import io.isthmus.api.config.ApplyResult.Committed;
import io.isthmus.api.config.ApplyResult.Rejected;
import io.isthmus.api.config.ApplyResult.RolledBack;
import io.isthmus.api.config.CommitCheck;
import io.isthmus.api.config.Generation;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.SectionApplier;
import io.isthmus.api.config.SectionValidator;
import io.isthmus.api.config.ValidationError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigEngineTest {
    private static final String DOC_A = dns("10.0.0.1");
    private static final String DOC_B = dns("10.0.0.2");
    private static final long WAIT_S = 10;

    @TempDir
    Path state;

    private final RecordingLog log = new RecordingLog();
    private final Whiteboard whiteboard = Readers.register(new Whiteboard());
    /** Applier names in the order they were called, across all appliers. */
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final List<ConfigEngine> engines = new ArrayList<>();

    @AfterEach
    void stopEngines() {
        engines.forEach(ConfigEngine::close);
    }

    private static String dns(String server) {
        return "{\"dns\": {\"servers\": [\"" + server + "\"]}}";
    }

    private static String serverOf(NetworkDocument document) {
        return document.dns().servers().isEmpty() ? "none" : document.dns().servers().get(0);
    }

    private ConfigEngine engine() throws IOException {
        return engine(Settings.DEFAULTS);
    }

    private ConfigEngine engine(Settings settings) throws IOException {
        ConfigEngine engine = new ConfigEngine(GenerationStore.open(state, Clock.systemUTC(), log),
                DeviceProfile.empty(), whiteboard, settings, log);
        engines.add(engine);
        return engine;
    }

    /** Records which documents (by their DNS server) it was given; fails for documents matching {@code failWhen}. */
    private final class RecordingApplier implements SectionApplier {
        final String name;
        final List<String> applied = new CopyOnWriteArrayList<>();
        final Predicate<NetworkDocument> failWhen;

        RecordingApplier(String name, Predicate<NetworkDocument> failWhen) {
            this.name = name;
            this.failWhen = failWhen;
        }

        @Override
        public List<String> preview(NetworkDocument document) {
            return List.of(name + " would use " + serverOf(document));
        }

        @Override
        public void apply(NetworkDocument document) throws ApplyException {
            calls.add(name);
            applied.add(serverOf(document));
            if (failWhen.test(document)) {
                throw new ApplyException(name + " cannot reach the kernel");
            }
        }
    }

    private RecordingApplier applier(String name, long serviceId, String... after) {
        return applier(name, serviceId, d -> false, after);
    }

    private RecordingApplier applier(String name, long serviceId, Predicate<NetworkDocument> failWhen,
            String... after) {
        RecordingApplier applier = new RecordingApplier(name, failWhen);
        whiteboard.addApplier(applier, Map.of(SectionApplier.NAME, name, SectionApplier.AFTER, after,
                "service.id", serviceId, "component.name", name));
        return applier;
    }

    private static Predicate<NetworkDocument> server(String server) {
        return d -> serverOf(d).equals(server);
    }

    /** The body of a commit check: the verdict for a document within a window. */
    private interface Verdict {
        Optional<String> of(NetworkDocument applied, Duration window) throws InterruptedException;
    }

    private static CommitCheck check(String name, Verdict verdict) {
        return new CommitCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Optional<String> check(NetworkDocument applied, Duration window) {
                try {
                    return verdict.of(applied, window);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.of("interrupted");
                }
            }
        };
    }

    private static CommitCheck check(String name, Predicate<NetworkDocument> failWhen) {
        return check(name, (applied, window) -> failWhen.test(applied) ? Optional.of("management broker unreachable")
                : Optional.empty());
    }

    private static ApplyResult boot(ConfigEngine engine, BootFiles files) throws Exception {
        engine.boot(files);
        return engine.bootApplied().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
    }

    @Test
    void appliersRunAfterWhatTheyNameThenByRegistration() throws Exception {
        applier("firewall", 5, "routing");
        applier("routing", 9, "drivers", "uplink"); // no uplink here: that name is ignored
        applier("unordered", 2);
        whiteboard.addApplier(new RecordingApplier("drivers", d -> false), Map.of(SectionApplier.NAME, "drivers",
                SectionApplier.BEFORE, "routing", "service.id", 3L, "component.name", "drivers"));
        whiteboard.addApplier(new RecordingApplier("no-order-property", d -> false), Map.of("service.id", 1L,
                "component.name", "no-order-property"));

        ApplyResult result = engine().apply(DOC_A, "test");

        assertInstanceOf(Committed.class, result);
        assertEquals(List.of("no-order-property", "unordered", "drivers", "routing", "firewall"), calls);
    }

    @Test
    void aCycleInTheApplyOrderFailsTheApplyNamingItAndAppliesNothing() throws Exception {
        applier("routing", 1, "firewall");
        applier("firewall", 2, "multicast");
        applier("multicast", 3, "routing");
        applier("drivers", 4);

        ApplyResult result = engine().apply(DOC_A, "test");

        RolledBack rolledBack = assertInstanceOf(RolledBack.class, result);
        assertEquals("the apply order has a cycle (each must apply before the next): routing -> multicast -> firewall"
                + " -> routing",
                rolledBack.reason());
        assertEquals(List.of(), calls);
    }

    @Test
    void aDryRunAsksEveryApplierAndChangesNothing() throws Exception {
        applier("routing", 1);
        applier("firewall", 2);
        ConfigEngine engine = engine();

        io.isthmus.api.config.Preview preview = engine.preview(DOC_B);

        assertEquals(List.of(), preview.errors());
        assertEquals(List.of("routing would use 10.0.0.2"), preview.changes().get("routing"));
        assertEquals(List.of("firewall would use 10.0.0.2"), preview.changes().get("firewall"));
        assertEquals(List.of(), calls, "no applier applied anything");
        assertEquals(Optional.empty(), engine.current());
        assertEquals(List.of("/ports"), engine.preview("{\"ports\": 5}").errors().stream()
                .map(ValidationError::pointer).toList());
    }

    @Test
    void aCommitWritesANewGenerationAndMakesItCurrent() throws Exception {
        ConfigEngine engine = engine();

        Committed first = (Committed) engine.apply(DOC_A, "mqtt:config.put");
        Committed second = (Committed) engine.apply(DOC_B, "cli");

        assertEquals(1, first.generation().number());
        assertEquals(2, second.generation().number());
        assertEquals(false, second.unchanged());
        assertEquals(Optional.of(second.generation()), engine.current());
        assertEquals(Optional.of(DOC_B), engine.json(2));
        assertEquals("10.0.0.2", serverOf(engine.currentDocument().orElseThrow()));
        assertEquals(List.of(2L, 1L), engine.history().stream().map(Generation::number).toList());
        assertTrue(log.has("INFO", "generation 2 committed (source cli)"), log.lines.toString());
    }

    @Test
    void aRejectedDocumentChangesNothingAndCallsNoApplier() throws Exception {
        RecordingApplier applier = applier("routing", 1);
        ConfigEngine engine = engine();

        ApplyResult result = engine.apply("{\"dns\": {\"servers\": [\"not-an-ip\"]}, \"ports\": 5}", "cli");

        assertEquals(List.of("/dns/servers/0", "/ports"), ((Rejected) result).errors().stream()
                .map(ValidationError::pointer).toList());
        assertEquals(List.of(), applier.applied);
        assertEquals(Optional.empty(), engine.current());
        assertTrue(log.has("INFO", "document rejected, nothing changed (source cli): 2 errors: /dns/servers/0: "),
                log.lines.toString());
    }

    @Test
    void aFailingApplierRollsEveryApplierBackToThePreviousDocument() throws Exception {
        RecordingApplier drivers = applier("drivers", 1);
        RecordingApplier routing = applier("routing", 2, server("10.0.0.2"));
        RecordingApplier firewall = applier("firewall", 3);
        ConfigEngine engine = engine();
        Generation first = ((Committed) engine.apply(DOC_A, "first")).generation();

        ApplyResult result = engine.apply(DOC_B, "second");

        assertEquals(new RolledBack("applier routing failed: routing cannot reach the kernel", Optional.of(first)),
                result);
        assertEquals(List.of("10.0.0.1", "10.0.0.2", "10.0.0.1"), drivers.applied);
        assertEquals(List.of("10.0.0.1", "10.0.0.2", "10.0.0.1"), routing.applied);
        // Appliers after the failing one never saw the bad document, but get the restore all the same.
        assertEquals(List.of("10.0.0.1", "10.0.0.1"), firewall.applied);
        assertEquals(Optional.of(first), engine.current());
        assertEquals(1, engine.history().size());
        assertTrue(log.has("WARN", "document rolled back (source second): applier routing failed"), log.lines.toString());
    }

    @Test
    void aRestoreGoesOnPastAnApplierThatFailsAgain() throws Exception {
        RecordingApplier broken = applier("broken", 1, server("10.0.0.1").negate().or(d -> calls.size() > 1));
        RecordingApplier firewall = applier("firewall", 3);
        ConfigEngine engine = engine();
        Generation first = ((Committed) engine.apply(DOC_A, "first")).generation();

        RolledBack result = (RolledBack) engine.apply(DOC_B, "second");

        assertEquals(Optional.of(first), result.restored());
        assertEquals(List.of("10.0.0.1", "10.0.0.2", "10.0.0.1"), broken.applied);
        assertEquals(List.of("10.0.0.1", "10.0.0.1"), firewall.applied);
        assertTrue(log.has("ERROR", "applier broken failed to restore generation 1"), log.lines.toString());
    }

    @Test
    void aRuntimeExceptionInAnApplierIsAFailureLikeAnyOther() throws Exception {
        whiteboard.addApplier(d -> {
            throw new IllegalStateException("bug");
        }, Map.of("component.name", "buggy"));

        RolledBack result = (RolledBack) engine().apply(DOC_A, "first");

        assertEquals("applier buggy failed: IllegalStateException: bug", result.reason());
        assertEquals(Optional.empty(), result.restored());
    }

    @Test
    void aFailingCheckRollsBack() throws Exception {
        RecordingApplier routing = applier("routing", 1);
        whiteboard.addCheck(check("broker-reachable", server("10.0.0.2")));
        ConfigEngine engine = engine();
        Generation first = ((Committed) engine.apply(DOC_A, "first")).generation();

        ApplyResult result = engine.apply(DOC_B, "second");

        assertEquals(new RolledBack("check broker-reachable failed: management broker unreachable",
                Optional.of(first)), result);
        assertEquals(List.of("10.0.0.1", "10.0.0.2", "10.0.0.1"), routing.applied);
    }

    /** The check must see the gateway as it was: an applier (an uplink switch) changes what it would see. */
    @Test
    void aCheckRecordsTheStateBeforeTheFirstApplierOfTheDocumentRuns() throws Exception {
        applier("uplink", 1);
        applier("mgmt", 2);
        List<String> seenBefore = new CopyOnWriteArrayList<>();
        whiteboard.addCheck(new CommitCheck() {
            @Override
            public String name() {
                return "broker-reachable";
            }

            @Override
            public void beforeApply(NetworkDocument next) {
                seenBefore.add(serverOf(next) + " after " + String.join(",", calls));
            }

            @Override
            public Optional<String> check(NetworkDocument applied, Duration window) {
                return Optional.empty();
            }
        });
        ConfigEngine engine = engine();
        engine.apply(DOC_A, "first");
        calls.clear();

        engine.apply(DOC_B, "second");

        assertEquals(List.of("10.0.0.1 after ", "10.0.0.2 after "), seenBefore);
    }

    @Test
    void aCheckThatThrowsBeforeTheApplyDoesNotStopTheDocument() throws Exception {
        RecordingApplier routing = applier("routing", 1);
        whiteboard.addCheck(new CommitCheck() {
            @Override
            public String name() {
                return "buggy";
            }

            @Override
            public void beforeApply(NetworkDocument next) {
                throw new IllegalStateException("bug");
            }

            @Override
            public Optional<String> check(NetworkDocument applied, Duration window) {
                return Optional.empty();
            }
        });

        assertTrue(engine().apply(DOC_A, "first") instanceof Committed);
        assertEquals(List.of("10.0.0.1"), routing.applied);
    }

    @Test
    void aCheckThatOverrunsTheWindowOrThrowsFails() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        whiteboard.addCheck(check("stuck", (applied, window) -> {
            release.await(WAIT_S, TimeUnit.SECONDS);
            return Optional.empty();
        }));
        whiteboard.addCheck(check("throwing", (applied, window) -> {
            throw new IllegalStateException("probe socket closed");
        }));
        try {
            RolledBack result = (RolledBack) engine(new Settings(10, Duration.ofMillis(300))).apply(DOC_A, "first");

            assertEquals("check stuck did not finish within the test window of 300 ms; "
                    + "check throwing failed: IllegalStateException: probe socket closed", result.reason());
        } finally {
            release.countDown();
        }
    }

    @Test
    void checksRunAtTheSameTime() throws Exception {
        // Each check waits for the other to have started: this passes only when they run in parallel.
        CountDownLatch bothStarted = new CountDownLatch(2);
        for (String name : List.of("first", "second")) {
            whiteboard.addCheck(check(name, (applied, window) -> {
                bothStarted.countDown();
                return bothStarted.await(window.toMillis(), TimeUnit.MILLISECONDS) ? Optional.empty()
                        : Optional.of("the other check never ran alongside");
            }));
        }

        assertInstanceOf(Committed.class, engine().apply(DOC_A, "first"));
    }

    @Test
    void theSameDocumentAgainWritesNoNewGenerationButStillApplies() throws Exception {
        RecordingApplier routing = applier("routing", 1);
        ConfigEngine engine = engine();
        Generation first = ((Committed) engine.apply(DOC_A, "first")).generation();

        ApplyResult again = engine.apply(DOC_A, "again");

        assertEquals(new Committed(first, true), again);
        assertEquals(1, engine.history().size());
        assertEquals(List.of("10.0.0.1", "10.0.0.1"), routing.applied);
    }

    @Test
    void anApplierBoundLaterAdoptsTheDocumentInForce() throws Exception {
        ConfigEngine engine = engine();
        engine.apply(DOC_A, "first");
        CompletableFuture<NetworkDocument> handed = new CompletableFuture<>();
        SectionApplier late = handed::complete;

        engine.adopt(whiteboard.addApplier(late, Map.of("component.name", "late")));

        assertEquals("10.0.0.1", serverOf(handed.get(WAIT_S, TimeUnit.SECONDS)));
    }

    @Test
    void anApplierBoundBeforeAnythingIsInForceIsHandedNothing() throws Exception {
        ConfigEngine engine = engine();
        RecordingApplier early = new RecordingApplier("early", d -> false);
        engine.adopt(whiteboard.addApplier(early, Map.of("component.name", "early")));

        engine.apply(DOC_A, "first");

        // The adoption ran before this apply on the same thread, and had nothing to hand over.
        assertEquals(List.of("10.0.0.1"), early.applied);
    }

    @Test
    void aLateApplierThatFailsToAdoptIsLogged() throws Exception {
        ConfigEngine engine = engine();
        engine.apply(DOC_A, "first");
        CountDownLatch called = new CountDownLatch(1);

        engine.adopt(whiteboard.addApplier(d -> {
            called.countDown();
            throw new ApplyException("no netlink socket");
        }, Map.of("component.name", "late")));

        assertTrue(called.await(WAIT_S, TimeUnit.SECONDS));
        engine.apply(DOC_A, "after"); // runs after the adoption on the config thread
        assertTrue(log.has("ERROR", "newly bound applier late failed to adopt generation 1: no netlink socket"),
                log.lines.toString());
    }

    @Test
    void aThrowingValidatorIsReportedAsAnErrorNamingIt() throws Exception {
        whiteboard.addValidator(d -> {
            throw new IllegalStateException("index out of date");
        }, Map.of("component.name", "io.isthmus.firewall"));
        RecordingApplier routing = applier("routing", 1);
        ConfigEngine engine = engine();

        List<ValidationError> errors = engine.validate(DOC_A);
        ApplyResult result = engine.apply(DOC_A, "cli");

        assertEquals(List.of(new ValidationError("", "validator io.isthmus.firewall failed: "
                + "IllegalStateException: index out of date")), errors);
        assertEquals(new Rejected(errors), result);
        assertEquals(List.of(), routing.applied);
    }

    @Test
    void validatorErrorsAreMergedSortedAndDeduplicated() throws Exception {
        ValidationError late = new ValidationError("/ports", "the firewall needs at least one port");
        ValidationError early = new ValidationError("/dns/servers/0", "not reachable from the gateway");
        whiteboard.addValidator(d -> List.of(late, early, late), Map.of());
        whiteboard.addValidator(d -> List.of(early), Map.of());

        assertEquals(List.of(early, late), engine().validate(DOC_A));
    }

    @Test
    void validatorsAreNotAskedAboutADocumentThatFailsTheCoreRules() throws Exception {
        List<NetworkDocument> asked = new CopyOnWriteArrayList<>();
        whiteboard.addValidator(d -> {
            asked.add(d);
            return List.of();
        }, Map.of());

        assertEquals(1, engine().validate("{\"dns\": 1}").size());
        assertEquals(List.of(), asked);
    }

    @Test
    void aSectionOwnedByAValidatorIsAcceptedOnlyWhileItIsRegistered() throws Exception {
        SectionValidator diag = d -> d.extensions().containsKey("diag") ? List.of() : List.of(
                new ValidationError("/diag", "missing"));
        whiteboard.addValidator(diag, Map.of(SectionValidator.SECTION, "diag"));
        ConfigEngine engine = engine();
        String json = "{\"diag\": {\"pingCount\": 3}}";

        assertEquals(List.of(), engine.validate(json));
        whiteboard.removeValidator(diag);
        assertEquals(List.of("/diag"), engine.validate(json).stream().map(ValidationError::pointer).toList());
    }

    @Test
    void rollbackReappliesAKeptGenerationAsANewOne() throws Exception {
        RecordingApplier routing = applier("routing", 1);
        ConfigEngine engine = engine();
        engine.apply(DOC_A, "first");
        engine.apply(DOC_B, "second");

        Committed result = (Committed) engine.rollback(1, "mqtt:config.rollback");

        assertEquals(3, result.generation().number());
        assertEquals("mqtt:config.rollback", result.generation().source());
        assertEquals(Optional.of(DOC_A), engine.json(3));
        assertEquals(List.of("10.0.0.1", "10.0.0.2", "10.0.0.1"), routing.applied);
    }

    @Test
    void rollbackToAGenerationThatIsNotKeptIsRejected() throws Exception {
        ConfigEngine engine = engine();
        engine.apply(DOC_A, "first");

        Rejected result = (Rejected) engine.rollback(7, "cli");

        assertEquals(List.of(new ValidationError("", "no generation 7 is kept; kept generations are [1]")),
                result.errors());
    }

    @Test
    void bootAppliesTheConfigFileFirst() throws Exception {
        Path file = Files.writeString(state.resolve("network.json"), DOC_B);
        RecordingApplier routing = applier("routing", 1);
        ConfigEngine first = engine();
        first.apply(DOC_A, "earlier");
        first.close();

        Committed result = (Committed) boot(engine(), new BootFiles(Optional.of(file), Optional.empty()));

        assertEquals(2, result.generation().number());
        assertEquals("boot:" + file, result.generation().source());
        assertEquals(List.of("10.0.0.1", "10.0.0.2"), routing.applied);
    }

    @Test
    void bootReappliesTheCurrentGenerationWithoutANewOne() throws Exception {
        RecordingApplier routing = applier("routing", 1);
        ConfigEngine first = engine();
        Generation committed = ((Committed) first.apply(DOC_A, "earlier")).generation();
        first.close();
        Path defaults = Files.writeString(state.resolve("default.json"), DOC_B);

        ApplyResult result = boot(engine(), new BootFiles(Optional.empty(), Optional.of(defaults)));

        assertEquals(new Committed(committed, true), result);
        assertEquals(List.of("10.0.0.1", "10.0.0.1"), routing.applied);
    }

    @Test
    void bootFallsBackToTheProfileDefault() throws Exception {
        Path defaults = Files.writeString(state.resolve("default.json"), DOC_B);

        Committed result = (Committed) boot(engine(), new BootFiles(Optional.empty(), Optional.of(defaults)));

        assertEquals(1, result.generation().number());
        assertEquals("default:" + defaults, result.generation().source());
    }

    @Test
    void bootWithNothingCommitsAnEmptyDocument() throws Exception {
        ConfigEngine engine = engine();

        Committed result = (Committed) boot(engine, BootFiles.NONE);

        assertEquals("empty", result.generation().source());
        assertEquals(Optional.of("{}"), engine.json(1));
    }

    @Test
    void anUnreadableBootFileIsRejectedAndTheCurrentGenerationStays() throws Exception {
        RecordingApplier routing = applier("routing", 1);
        ConfigEngine first = engine();
        first.apply(DOC_A, "earlier");
        first.close();
        Path missing = state.resolve("no-such.json");

        ApplyResult result = boot(engine(), new BootFiles(Optional.of(missing), Optional.empty()));

        assertEquals(new Rejected(List.of(new ValidationError("", missing + ": no such file"))), result);
        // The box keeps the network it had rather than starting with none.
        assertEquals(List.of("10.0.0.1", "10.0.0.1"), routing.applied);
    }

    @Test
    void aFailedFirstBootHasNothingToRestore() throws Exception {
        RecordingApplier routing = applier("routing", 1, d -> true);
        Path file = Files.writeString(state.resolve("network.json"), DOC_A);

        ApplyResult result = boot(engine(), new BootFiles(Optional.of(file), Optional.empty()));

        assertEquals(new RolledBack("applier routing failed: routing cannot reach the kernel", Optional.empty()),
                result);
        assertEquals(List.of("10.0.0.1"), routing.applied);
    }

    @Test
    void aFailedBootFileRestoresTheCurrentGeneration() throws Exception {
        RecordingApplier routing = applier("routing", 1, server("10.0.0.2"));
        ConfigEngine first = engine();
        Generation committed = ((Committed) first.apply(DOC_A, "earlier")).generation();
        first.close();
        Path file = Files.writeString(state.resolve("network.json"), DOC_B);

        ApplyResult result = boot(engine(), new BootFiles(Optional.of(file), Optional.empty()));

        assertEquals(new RolledBack("applier routing failed: routing cannot reach the kernel", Optional.of(committed)),
                result);
        assertEquals(List.of("10.0.0.1", "10.0.0.2", "10.0.0.1"), routing.applied);
    }

    @Test
    void bootHappensOnce() throws Exception {
        RecordingApplier routing = applier("routing", 1);
        ConfigEngine engine = engine();

        boot(engine, BootFiles.NONE);
        engine.boot(BootFiles.NONE);
        engine.apply("{}", "after"); // queued behind a second boot, were there one

        assertEquals(List.of("none", "none"), routing.applied);
    }

    @Test
    void anApplierCallingBackIntoApplyFailsInsteadOfDeadlocking() throws Exception {
        ConfigEngine engine = engine();
        whiteboard.addApplier(d -> engine.apply(DOC_B, "nested"), Map.of("component.name", "reentrant"));

        RolledBack result = (RolledBack) engine.apply(DOC_A, "first");

        assertTrue(result.reason().startsWith("applier reentrant failed: IllegalStateException"), result.reason());
    }

    @Test
    void stoppingBeforeBootFailsTheBootFutureInsteadOfLeavingItPending() throws Exception {
        ConfigEngine engine = engine();

        engine.close();

        assertTrue(engine.bootApplied().toCompletableFuture().isCompletedExceptionally());
    }
}
