package io.isthmus.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code isthmusctl bundle update|install|rollback|job} and {@code isthmusctl rollout status}: field updates of one
 * bundle on one device or a staged rollout across a fleet (docs/rollout.md).
 */
final class BundleCommands {
    /**
     * Largest chunk sent: the protocol allows 192 KiB, but its base64 (4/3) plus the JSON around it must fit the
     * agent's default maxPayloadBytes (256 KiB), so 191 KiB.
     */
    static final int MAX_CHUNK = 191 * 1024;

    private BundleCommands() {
    }

    /** Which devices: one DEVICE (a positional), --devices, or --group of an inventory. */
    static final class Targeting {
        @Option(names = "--group", paramLabel = "G", description = "All devices of group G in the inventory")
        String group;
        @Option(names = "--inventory", paramLabel = "FILE", defaultValue = "${env:ISTHMUS_INVENTORY}",
                description = "Inventory JSON: {\"groups\": {\"G\": [devices]}, \"canary\": [devices]} "
                        + "(default $ISTHMUS_INVENTORY)")
        Path inventory;
        @Option(names = "--devices", split = ",", paramLabel = "A,B,C", description = "These devices")
        List<String> devices = List.of();
        @Option(names = "--wave", defaultValue = "10", description = "Devices per wave after the canaries "
                + "(${DEFAULT-VALUE}; 0: all at once)")
        int wave;
        @Option(names = "--parallel", defaultValue = "8", description = "Devices worked on at once (${DEFAULT-VALUE})")
        int parallel;

        RolloutPlan.Targets targets(Optional<String> device) throws java.io.IOException {
            return RolloutPlan.Targets.resolve(device, devices, Optional.ofNullable(group),
                    Optional.ofNullable(inventory));
        }
    }

    abstract static class FleetCommand extends Isthmusctl.Sub {
        @Mixin
        Targeting targeting;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        boolean tty() {
            return !root().json && System.console() != null;
        }

        int usage(String message) {
            err().println("isthmusctl: " + message);
            err().flush();
            return 2;
        }

        void summary(String title, List<DeviceResult> results, Optional<String> stop, Optional<RolloutJournal> j)
                throws Exception {
            if (root().json) {
                Object json = j.<Object>map(RolloutJournal::json)
                        .orElseGet(() -> results.stream().map(RolloutJournal::toJson).toList());
                out().println(Channel.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
                out().flush();
                return;
            }
            printSummary(out(), title, results, stop, j.map(RolloutJournal::file));
        }
    }

    static void printSummary(PrintWriter out, String title, List<DeviceResult> results, Optional<String> stop,
            Optional<Path> journal) {
        Table t = new Table("DEVICE", "PHASE", "FROM", "TO", "OUTCOME", "TIME", "REASON");
        results.forEach(r -> t.row(r.device(), r.phase(), r.fromVersion().orElse(null), r.toVersion().orElse(null),
                r.outcome().word, String.format("%.1f s", r.millis() / 1000.0), r.reason().orElse(null)));
        t.print(out);
        Map<String, Long> counts = new LinkedHashMap<>();
        results.forEach(r -> counts.merge(r.outcome().word, 1L, Long::sum));
        StringBuilder line = new StringBuilder(title).append(": ");
        counts.forEach((o, n) -> line.append(n).append(' ').append(o).append(", "));
        line.setLength(line.length() - 2);
        out.println();
        out.println(line);
        stop.ifPresent(s -> out.println("stopped: " + s));
        journal.ifPresent(f -> out.println("journal: " + f));
        out.flush();
    }

    @Command(name = "bundle", description = "Field updates: install, update, roll back a bundle on devices or a "
            + "fleet; follow a job.", subcommands = {Update.class, Install.class, Rollback.class, Job.class})
    static final class Bundle extends Isthmusctl.Group {
    }

    /** update and install: the same rollout, a different command on the device. */
    abstract static class Deploy extends FleetCommand {
        @Parameters(arity = "1..2", paramLabel = "[DEVICE] FILE.jar", description = "The device (unless --group or "
                + "--devices) and the bundle jar")
        List<String> args;
        @Option(names = "--url", description = "The gateways fetch the jar from this HTTPS URL (else it is sent "
                + "inline over MQTT)")
        URI url;
        @Option(names = "--chunk-size", defaultValue = "131072", description = "Inline chunk size in bytes "
                + "(${DEFAULT-VALUE}, at most 195584)")
        int chunkSize;
        @Option(names = "--refresh", description = "Allow an update that changes packages other bundles import "
                + "(they are refreshed)")
        boolean refresh;
        @Option(names = "--health-window", paramLabel = "MS", description = "Health window on the gateway (default:"
                + " the gateway's)")
        Long healthWindowMs;
        @Option(names = "--canary", paramLabel = "N|A,B", description = "Canary devices first: a count or names "
                + "(default: the inventory's \"canary\" devices of the group)")
        String canary;
        @Option(names = "--max-failures", paramLabel = "K", description = "Stop and roll back when more than K "
                + "devices failed (default 0 unless --max-failure-rate)")
        Integer maxFailures;
        @Option(names = "--max-failure-rate", paramLabel = "P%", description = "Stop and roll back when more than "
                + "P percent of the fleet failed")
        String maxFailureRate;
        @Option(names = "--offline-wait", defaultValue = "60", paramLabel = "SECONDS", description = "Inline: how "
                + "long to wait for an offline device (${DEFAULT-VALUE}), then skip it")
        int offlineWait;
        @Option(names = "--pending-wait", defaultValue = "0", paramLabel = "SECONDS", description = "With --url: "
                + "how long to follow offline devices' pending jobs after the waves (${DEFAULT-VALUE})")
        int pendingWait;
        @Option(names = "--job-timeout", defaultValue = "600", paramLabel = "SECONDS", description = "Per device, "
                + "transfer to outcome (${DEFAULT-VALUE})")
        int jobTimeout;
        @Option(names = "--journal", paramLabel = "FILE", description = "Rollout journal (default "
                + "~/.local/state/isthmusctl/rollouts/<id>.json); an existing one of the same jar is continued")
        Path journalFile;

        abstract DeployJob.Action action();

        @Override
        public Integer call() throws Exception {
            Optional<String> device = args.size() == 2 ? Optional.of(args.get(0)) : Optional.empty();
            Path file = Path.of(args.get(args.size() - 1));
            BundleJar jar;
            RolloutPlan plan;
            try {
                if (chunkSize < 1024 || chunkSize > MAX_CHUNK) {
                    throw new IllegalArgumentException("--chunk-size must be 1024.." + MAX_CHUNK);
                }
                if (url != null && !List.of("https", "http").contains(String.valueOf(url.getScheme()))) {
                    throw new IllegalArgumentException("--url must be an https:// URL");
                }
                jar = BundleJar.read(file);
                RolloutPlan.Targets targets = targeting.targets(device);
                plan = RolloutPlan.of(targets.devices(), targets.canaries(Optional.ofNullable(canary)),
                        targeting.wave, budget());
            } catch (IllegalArgumentException e) {
                return usage(e.getMessage());
            }
            String id = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(LocalDateTime.now()) + "-"
                    + java.util.UUID.randomUUID().toString().substring(0, 4);
            Map<String, Object> options = new LinkedHashMap<>();
            options.put("source", url == null ? "inline" : url.toString());
            options.put("canaries", plan.canaries());
            options.put("wave", targeting.wave);
            options.put("maxFailures", plan.budget().maxFailures());
            plan.budget().maxRatePercent().ifPresent(p -> options.put("maxFailureRatePercent", p));
            RolloutJournal journal;
            try {
                journal = RolloutJournal.open(journalFile != null ? journalFile
                        : RolloutJournal.defaultDir().resolve(id + ".json"), action().name().toLowerCase(), jar,
                        options);
            } catch (IllegalArgumentException e) {
                return usage(e.getMessage());
            }
            ProgressView view = new ProgressView(err(), tty(), plan.size());
            Isthmusctl r = root();
            try (Channel channel = r.open()) {
                DeployJob jobs = new DeployJob(channel, view);
                DeployJob.Settings settings = new DeployJob.Settings(action(), jar, Optional.ofNullable(url),
                        chunkSize, refresh, Optional.ofNullable(healthWindowMs), Duration.ofSeconds(offlineWait),
                        Duration.ofSeconds(jobTimeout), r.timeout(), journal.rolloutId());
                channel.watchStates(plan.devices());
                view.note(action().name().toLowerCase() + " " + jar.symbolicName() + " " + jar.version() + " ("
                        + jar.size() + " bytes, sha256 " + jar.sha256().substring(0, 12) + "…) on " + plan.size()
                        + " device(s)" + (plan.canaries().isEmpty() ? "" : ", canaries " + plan.canaries())
                        + ", journal " + journal.file());
                Rollout rollout = new Rollout(plan, new Rollout.DeviceAction() {
                    @Override
                    public DeviceResult run(String d, String phase) throws InterruptedException {
                        return jobs.deploy(settings, d, phase);
                    }

                    @Override
                    public DeviceResult revert(DeviceResult committed) throws InterruptedException {
                        return jobs.revert(action(), committed, jar.symbolicName(), r.timeout(),
                                Duration.ofSeconds(jobTimeout));
                    }

                    @Override
                    public DeviceResult cancel(DeviceResult pending) {
                        return jobs.cancel(pending, action().command);
                    }
                }, targeting.parallel, journal.results(), res -> {
                    journal.record(res);
                    view.finished(res);
                });
                Rollout.Report report = rollout.run();
                if (report.stopReason().isEmpty() && pendingWait > 0 && report.count(Outcome.PENDING) > 0) {
                    followPending(journal, jobs, action().command, Duration.ofSeconds(pendingWait), r.timeout(),
                            view);
                }
                journal.finish(report.stopReason());
                view.close();
                List<DeviceResult> results = List.copyOf(journal.results().values());
                summary("rollout " + journal.rolloutId(), results, report.stopReason(), Optional.of(journal));
                return new Rollout.Report(results, report.stopReason()).exitCode();
            } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                view.close();
                err().println("isthmusctl: " + r.broker + ": " + e.getMessage());
                err().flush();
                return 1;
            }
        }

        RolloutPlan.FailureBudget budget() {
            Optional<Double> rate = Optional.ofNullable(maxFailureRate).map(p -> {
                try {
                    return Double.parseDouble(p.strip().replaceFirst("%$", ""));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--max-failure-rate: a percentage like 10%, not " + p);
                }
            });
            int max = maxFailures != null ? maxFailures : rate.isPresent() ? Integer.MAX_VALUE : 0;
            return new RolloutPlan.FailureBudget(max, rate);
        }
    }

    /** Asks the pending devices (offline ones whose retained job waits) for their job until all ended or time is up. */
    static void followPending(RolloutJournal journal, DeployJob jobs, String command, Duration wait,
            Duration replyTimeout, ProgressView view) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            for (DeviceResult p : journal.results().values()) {
                if (p.outcome() == Outcome.PENDING) {
                    DeviceResult now = jobs.refresh(p, command, replyTimeout);
                    if (now.outcome() != Outcome.PENDING) {
                        journal.record(now);
                        view.finished(now);
                    }
                }
            }
            boolean pending = journal.results().values().stream().anyMatch(x -> x.outcome() == Outcome.PENDING);
            if (!pending || System.nanoTime() > deadline) {
                return;
            }
            Thread.sleep(DeployJob.POLL.toMillis()); // polling devices that may come back online
        }
    }

    @Command(name = "update", description = "Update a bundle on a device or a fleet (canaries, waves, stop and roll "
            + "back at the failure threshold).")
    static final class Update extends Deploy {
        @Override
        DeployJob.Action action() {
            return DeployJob.Action.UPDATE;
        }
    }

    @Command(name = "install", description = "Install a new bundle on a device or a fleet (staged like update).")
    static final class Install extends Deploy {
        @Override
        DeployJob.Action action() {
            return DeployJob.Action.INSTALL;
        }
    }

    @Command(name = "rollback", description = "Back to the previous committed version of a bundle, on a device or a "
            + "fleet.")
    static final class Rollback extends FleetCommand {
        @Parameters(arity = "1..2", paramLabel = "[DEVICE] BSN", description = "The device (unless --group or "
                + "--devices) and the bundle's symbolic name")
        List<String> args;
        @Option(names = "--job-timeout", defaultValue = "600", paramLabel = "SECONDS")
        int jobTimeout;

        @Override
        public Integer call() throws Exception {
            Optional<String> device = args.size() == 2 ? Optional.of(args.get(0)) : Optional.empty();
            String bsn = args.get(args.size() - 1);
            RolloutPlan plan;
            try {
                RolloutPlan.Targets targets = targeting.targets(device);
                plan = RolloutPlan.of(targets.devices(), List.of(), targeting.wave,
                        RolloutPlan.FailureBudget.unlimited());
            } catch (IllegalArgumentException e) {
                return usage(e.getMessage());
            }
            Isthmusctl r = root();
            ProgressView view = new ProgressView(err(), tty(), plan.size());
            try (Channel channel = r.open()) {
                DeployJob jobs = new DeployJob(channel, view);
                Rollout.Report report = new Rollout(plan, new Rollout.DeviceAction() {
                    @Override
                    public DeviceResult run(String d, String phase) throws InterruptedException {
                        return jobs.rollback(d, bsn, phase, r.timeout(), Duration.ofSeconds(jobTimeout));
                    }

                    @Override
                    public DeviceResult revert(DeviceResult committed) {
                        return committed; // a rollback is not undone: the budget is unlimited, it never stops
                    }

                    @Override
                    public DeviceResult cancel(DeviceResult pending) {
                        return pending;
                    }
                }, targeting.parallel, Map.of(), view::finished).run();
                view.close();
                summary("rollback " + bsn, report.results(), report.stopReason(), Optional.empty());
                return report.exitCode();
            } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                view.close();
                err().println("isthmusctl: " + r.broker + ": " + e.getMessage());
                err().flush();
                return 1;
            }
        }
    }

    @Command(name = "job", description = "A deploy job on a device: state, progress, outcome.")
    static final class Job extends Isthmusctl.Sub {
        @Parameters(index = "0", paramLabel = "DEVICE")
        String device;
        @Parameters(index = "1", paramLabel = "JOB")
        String job;

        @Override
        public Integer call() {
            return call(device, "bundle.job", Map.of("job", job), (b, out) -> {
                out.printf("job %s  bundle %s  state %s  %d%% (%d of %d bytes)%n", b.path("job").asText(),
                        b.path("bundle").asText(), b.path("state").asText(), b.path("percent").asInt(),
                        b.path("bytes").asLong(), b.path("size").asLong());
                if (b.hasNonNull("outcome") || b.hasNonNull("version")) {
                    out.printf("outcome %s  version %s  previous %s%n", b.path("outcome").asText("-"),
                            b.path("version").asText("-"), b.path("previousVersion").asText("-"));
                }
                if (b.hasNonNull("reason")) {
                    out.println("reason: " + b.path("reason").asText());
                }
                if (b.path("missing").size() > 0) {
                    out.println("missing chunks: " + b.path("missing"));
                }
            });
        }
    }

    @Command(name = "rollout", description = "Rollout journals.", subcommands = {Status.class})
    static final class RolloutGroup extends Isthmusctl.Group {
    }

    @Command(name = "status", description = "A rollout's result from its journal; asks pending devices for their "
            + "job (and withdraws the retained request once it ended).")
    static final class Status extends Isthmusctl.Sub {
        @Parameters(index = "0", paramLabel = "JOURNAL")
        Path file;
        @Option(names = "--wait", defaultValue = "0", paramLabel = "SECONDS", description = "Keep asking pending "
                + "devices this long (${DEFAULT-VALUE})")
        int waitSeconds;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            RolloutJournal journal;
            try {
                journal = RolloutJournal.read(file);
            } catch (java.io.IOException | IllegalArgumentException e) {
                err.println("isthmusctl: " + e.getMessage());
                err.flush();
                return 2;
            }
            Isthmusctl r = root();
            List<String> pending = journal.results().values().stream()
                    .filter(x -> x.outcome() == Outcome.PENDING).map(DeviceResult::device).toList();
            if (!pending.isEmpty()) {
                ProgressView view = new ProgressView(err, !r.json && System.console() != null, pending.size());
                try (Channel channel = r.open()) {
                    channel.watchStates(pending);
                    followPending(journal, new DeployJob(channel, view), "bundle." + journal.action(),
                            Duration.ofSeconds(waitSeconds), r.timeout(), view);
                } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                    err.println("isthmusctl: " + r.broker + ": " + e.getMessage() + " (showing the journal as is)");
                }
                view.close();
            }
            List<DeviceResult> results = List.copyOf(journal.results().values());
            if (r.json) {
                out.println(Channel.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(journal.json()));
                out.flush();
            } else {
                JsonNode j = journal.json();
                printSummary(out, "rollout " + journal.rolloutId() + " (" + j.path("action").asText() + " "
                        + j.at("/bundle/symbolicName").asText() + " " + j.at("/bundle/version").asText() + ")",
                        results, journal.stopReason(), Optional.of(journal.file()));
            }
            return new Rollout.Report(results, journal.stopReason()).exitCode();
        }
    }
}
