package io.isthmus.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code isthmusctl credentials rotate}: new client certificates for one device or a fleet, staged like a bundle
 * rollout (canaries, waves, a failure budget; {@link Rollout}). Each device gets {@code DIR/<device>.pem} and
 * {@code DIR/<device>.key} with {@code credentials.rotate}, and keeps them only if its broker takes them
 * (docs/mqtt.md).
 * A committed rotation is not undone when the fleet crosses its budget: the old key may be gone, and the new
 * certificate works; the rollout stops starting devices.
 */
final class CredentialCommands {
    private CredentialCommands() {
    }

    @Command(name = "credentials", description = "The gateways' own MQTT credentials.", subcommands = Rotate.class)
    static final class Credentials extends Isthmusctl.Group {
    }

    @Command(name = "rotate", description = "Install a new client certificate and key on a device or a fleet "
            + "(test before commit on each gateway; canaries, waves, stop at the failure threshold).")
    static final class Rotate extends BundleCommands.FleetCommand {
        @Parameters(arity = "0..1", paramLabel = "DEVICE", description = "The device (unless --group or --devices)")
        List<String> args = List.of();
        @Option(names = "--certs", required = true, paramLabel = "DIR", description = "DIR/<device>.pem (certificate,"
                + " then its chain) and DIR/<device>.key (PKCS#8) for each device")
        Path certs;
        @Option(names = "--ca", paramLabel = "FILE", description = "A new CA bundle (PEM) for the brokers")
        Path ca;
        @Option(names = "--window", paramLabel = "MS", defaultValue = "20000", description = "Each gateway's test "
                + "window (${DEFAULT-VALUE})")
        long windowMs;
        @Option(names = "--canary", paramLabel = "N|A,B", description = "Canary devices first: a count or names "
                + "(default: the inventory's \"canary\" devices of the group)")
        String canary;
        @Option(names = "--max-failures", paramLabel = "K", defaultValue = "0", description = "Stop when more than K "
                + "devices failed (${DEFAULT-VALUE})")
        int maxFailures;

        @Override
        public Integer call() throws Exception {
            RolloutPlan plan;
            Optional<String> caText;
            try {
                RolloutPlan.Targets targets = targeting.targets(args.stream().findFirst());
                plan = RolloutPlan.of(targets.devices(), targets.canaries(Optional.ofNullable(canary)),
                        targeting.wave, new RolloutPlan.FailureBudget(maxFailures, Optional.empty()));
                for (String d : plan.devices()) {
                    for (String f : List.of(d + ".pem", d + ".key")) {
                        if (!Files.isReadable(certs.resolve(f))) {
                            throw new IllegalArgumentException("no " + certs.resolve(f) + " for device " + d);
                        }
                    }
                }
                caText = ca == null ? Optional.empty() : Optional.of(Files.readString(ca, StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException | java.io.IOException e) {
                return usage(e.getMessage());
            }
            Isthmusctl r = root();
            Duration wait = Duration.ofMillis(windowMs).multipliedBy(2).plus(r.timeout());
            ProgressView view = new ProgressView(err(), tty(), plan.size());
            try (Channel channel = r.open()) {
                view.note("credentials.rotate on " + plan.size() + " device(s)"
                        + (plan.canaries().isEmpty() ? "" : ", canaries " + plan.canaries()));
                Rollout rollout = new Rollout(plan, new Rollout.DeviceAction() {
                    @Override
                    public DeviceResult run(String d, String phase) throws InterruptedException {
                        return rotate(channel, d, phase, caText, wait);
                    }

                    @Override
                    public DeviceResult revert(DeviceResult committed) {
                        return committed.withOutcome(Outcome.COMMITTED, Optional.of("kept: a rotation is not undone"),
                                0);
                    }

                    @Override
                    public DeviceResult cancel(DeviceResult pending) {
                        return pending;
                    }
                }, targeting.parallel, Map.of(), view::finished);
                Rollout.Report report = rollout.run();
                view.close();
                summary("credentials.rotate", report.results(), report.stopReason(), Optional.empty());
                return report.exitCode();
            } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                view.close();
                err().println("isthmusctl: " + r.broker + ": " + e.getMessage());
                err().flush();
                return 1;
            }
        }

        private DeviceResult rotate(Channel channel, String device, String phase, Optional<String> caText,
                Duration wait) throws InterruptedException {
            long start = System.nanoTime();
            try {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("certificate", Files.readString(certs.resolve(device + ".pem"), StandardCharsets.US_ASCII));
                body.put("key", Files.readString(certs.resolve(device + ".key"), StandardCharsets.US_ASCII));
                caText.ifPresent(c -> body.put("ca", c));
                body.put("windowMs", windowMs);
                JsonNode reply = channel.request(device, "credentials.rotate", body, wait);
                long ms = (System.nanoTime() - start) / 1_000_000;
                int status = reply.path("status").asInt();
                Outcome o = status == 200 ? Outcome.COMMITTED : status == 409
                        && "rolled-back".equals(reply.at("/error/code").asText()) ? Outcome.ROLLED_BACK
                        : status == 400 ? Outcome.REJECTED : Outcome.FAILED;
                // TO: the new certificate's expiry
                Optional<String> until = status == 200 ? Optional.of(reply.at("/body/certificate/notAfter").asText())
                        : Optional.empty();
                Optional<String> why = status == 200 ? Optional.empty()
                        : Optional.of(status + " " + reply.at("/error/message").asText());
                return new DeviceResult(device, phase, Optional.empty(), until, o, ms, why, Optional.empty());
            } catch (InterruptedException e) {
                throw e;
            } catch (java.util.concurrent.TimeoutException e) {
                return DeviceResult.of(device, phase, Outcome.FAILED, "no reply within " + wait.toSeconds() + " s");
            } catch (Exception e) {
                return DeviceResult.of(device, phase, Outcome.FAILED, e.getMessage());
            }
        }
    }
}
