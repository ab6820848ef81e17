package io.isthmus.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The operator CLI: one MQTT 5 request per invocation, a table for people or the reply JSON for scripts
 * ({@code --json}), and an exit code that says how the request went (see {@link #exitCode}).
 */
@Command(name = "isthmusctl", mixinStandardHelpOptions = true, version = "isthmusctl 0.1",
        description = "Manage Isthmus gateways over MQTT.",
        subcommands = {Isthmusctl.Devices.class, Isthmusctl.Status.class, Isthmusctl.Config.class,
                Isthmusctl.Bundles.class, Isthmusctl.Leases.class, Isthmusctl.Time.class, BundleCommands.Bundle.class,
                BundleCommands.RolloutGroup.class, CredentialCommands.Credentials.class, Isthmusctl.Diag.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:reply 200", "1:cannot reach the broker, or another failure", "2:bad usage",
                "3:no reply within --timeout", "4:reply 400 (bad request, invalid document)", "5:reply 404",
                "6:reply 409 (rolled back, refused)", "7:reply 413 (too large)", "8:reply 500", "9:reply 503 (busy, "
                        + "timed out on the gateway)", "10:bundle commands: not every device committed",
                "11:bundle commands: the rollout stopped at its failure threshold and rolled back"})
public final class Isthmusctl {
    @Option(names = "--broker", defaultValue = "${env:ISTHMUS_BROKER:-tcp://localhost:1883}",
            description = "Broker URI (tcp:// or ssl://); default $ISTHMUS_BROKER or ${DEFAULT-VALUE}")
    String broker;

    @Option(names = "--ca-file", defaultValue = "${env:ISTHMUS_CA_FILE}",
            description = "PEM CA certificates the broker's certificate must chain to (else the JVM's CAs)")
    Path caFile;

    @Option(names = "--cert-file", defaultValue = "${env:ISTHMUS_CERT_FILE}",
            description = "PEM operator certificate to log in with (with --key-file)")
    Path certFile;

    @Option(names = "--key-file", defaultValue = "${env:ISTHMUS_KEY_FILE}",
            description = "Its PKCS#8 PEM key (openssl genpkey)")
    Path keyFile;

    @Option(names = "--username", defaultValue = "${env:ISTHMUS_USERNAME}", description = "MQTT user name")
    String username;

    @Option(names = "--password-file", description = "File whose first line is the MQTT password")
    Path passwordFile;

    @Option(names = "--timeout", defaultValue = "30", description = "Seconds to wait for a reply (${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--json", description = "Print the reply JSON instead of a table")
    boolean json;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Isthmusctl()).execute(args));
    }

    Duration timeout() {
        return Duration.ofSeconds(Math.max(1, timeoutSeconds));
    }

    Channel open() throws Exception {
        Optional<String> password = passwordFile == null ? Optional.empty()
                : Files.readAllLines(passwordFile).stream().findFirst();
        PemTls tls = new PemTls(Optional.ofNullable(caFile), Optional.ofNullable(certFile),
                Optional.ofNullable(keyFile));
        return new Channel(broker, new Channel.Login(Optional.ofNullable(username), password,
                tls.any() ? Optional.of(tls.factory()) : Optional.empty()), timeout());
    }

    /** Sends one request and hands the reply to {@code human} (unless --json); the exit code from its status. */
    int call(CommandLine.Model.CommandSpec spec, String device, String command, Map<String, Object> request,
            java.util.function.BiConsumer<JsonNode, PrintWriter> human) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Channel channel = open()) {
            JsonNode reply = channel.request(device, command, request, timeout());
            int status = reply.path("status").asInt();
            if (json) {
                out.println(Channel.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(reply));
            } else if (status == 200) {
                human.accept(reply.path("body"), out);
            } else {
                JsonNode e = reply.path("error");
                err.println("error " + status + " " + e.path("code").asText() + (e.has("pointer") ? " at "
                        + (e.path("pointer").asText().isEmpty() ? "/" : e.path("pointer").asText()) : "") + ": "
                        + e.path("message").asText());
                reply.at("/body/errors").forEach(x -> err.println("  " + x.path("pointer").asText() + ": "
                        + x.path("message").asText()));
            }
            out.flush();
            err.flush();
            return exitCode(status);
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (Channel.isTimeout(cause)) {
                err.println("no reply from " + device + " within " + timeout().toSeconds() + " s (is it online? "
                        + "isthmusctl devices)");
                err.flush();
                return 3;
            }
            err.println("isthmusctl: " + broker + ": " + cause.getMessage());
            err.flush();
            return 1;
        }
    }

    static int exitCode(int status) {
        return switch (status) {
            case 200 -> 0;
            case 400 -> 4;
            case 404 -> 5;
            case 409 -> 6;
            case 413 -> 7;
            case 500 -> 8;
            case 503 -> 9;
            default -> 1;
        };
    }

    static Map<String, Object> document(Path file) throws java.io.IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = Channel.JSON.readValue(file.toFile(), Map.class);
        return doc;
    }

    abstract static class Sub implements Callable<Integer> {
        @CommandLine.ParentCommand
        Object parent;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        Isthmusctl root() {
            Object p = parent;
            while (!(p instanceof Isthmusctl)) {
                p = ((Sub) p).parent;
            }
            return (Isthmusctl) p;
        }

        int call(String device, String command, Map<String, Object> request,
                java.util.function.BiConsumer<JsonNode, PrintWriter> human) {
            return root().call(spec, device, command, request, human);
        }
    }

    /** A command that only groups subcommands: alone it is a usage error. */
    abstract static class Group extends Sub {
        @Override
        public Integer call() {
            spec.commandLine().usage(spec.commandLine().getErr());
            return 2;
        }
    }

    @Command(name = "devices", description = "Gateways known to the broker (their retained state).")
    static final class Devices extends Sub {
        @Override
        public Integer call() throws Exception {
            Isthmusctl r = root();
            PrintWriter out = spec.commandLine().getOut();
            try (Channel channel = r.open()) {
                Map<String, JsonNode> devices = channel.devices(Duration.ofSeconds(Math.min(5, r.timeoutSeconds)));
                if (r.json) {
                    out.println(Channel.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(devices));
                } else {
                    Table t = new Table("DEVICE", "ONLINE", "PROFILE", "VERSION", "GENERATION", "SINCE");
                    devices.forEach((id, s) -> t.row(id, s.path("online").asBoolean() ? "yes" : "no",
                            s.path("profile").asText(null), s.path("version").asText(null),
                            s.path("generation").asText(null), s.path("time").asText(null)));
                    t.print(out);
                }
                out.flush();
                return 0;
            } catch (Exception e) {
                spec.commandLine().getErr().println("isthmusctl: " + r.broker + ": " + e.getMessage());
                spec.commandLine().getErr().flush();
                return 1;
            }
        }
    }

    @Command(name = "status", description = "Ports, uplinks, bundles, memory and the management channel.")
    static final class Status extends Sub {
        @Parameters(index = "0", paramLabel = "DEVICE")
        String device;

        @Override
        public Integer call() {
            return call(device, "status", Map.of(), (b, out) -> {
                out.printf("device %s  profile %s  version %s  generation %s  up %d s%n", b.path("deviceId").asText(),
                        b.path("profile").asText(), b.path("version").asText(), b.at("/generation/number").asText("-"),
                        b.path("uptimeMs").asLong() / 1000);
                out.printf("uplink active: %s   bundles %s/%s active   heap %d MB   threads %d%n",
                        b.at("/uplinks/active").asText("-"), b.at("/bundles/active").asText(),
                        b.at("/bundles/total").asText(), b.at("/memory/heapUsedBytes").asLong() >> 20,
                        b.path("threads").asInt());
                out.println();
                Table ports = new Table("PORT", "KIND", "ROLE", "COST", "LINK", "ADDRESSES", "GATEWAY", "PROBLEM");
                b.path("ports").forEach(p -> ports.row(p.path("name").asText(), p.path("kind").asText(),
                        p.path("role").asText(), p.path("cost").asText(), !p.path("present").asBoolean() ? "missing"
                                : p.path("carrier").asBoolean() ? "up" : "no-carrier",
                        String.join(",", Channel.JSON.convertValue(p.path("addresses"), String[].class)),
                        p.path("gateway").asText(null), p.path("problem").asText(null)));
                ports.print(out);
                if (b.path("uplinks").isObject()) {
                    out.println();
                    Table up = new Table("UPLINK", "COST", "HEALTH", "RTT MS", "LOSS");
                    b.at("/uplinks/uplinks").forEach(u -> up.row(u.path("port").asText(), u.path("cost").asText(),
                            u.path("health").asText(), u.path("rttMs").asText(null), u.path("loss").asText()));
                    up.print(out);
                }
                JsonNode m = b.path("management");
                out.printf("%nmanagement: %s to %s, outbox %s queued, %s dropped%n", m.path("connected").asBoolean()
                        ? "connected" : "disconnected", m.path("broker").asText("-"), m.at("/outbox/queued").asText(),
                        m.at("/outbox/dropped").asText());
            });
        }
    }

    @Command(name = "config", description = "The network document: get, put, validate, history, rollback.",
            subcommands = {Config.Get.class, Config.Put.class, Config.Validate.class, Config.History.class,
                    Config.Rollback.class})
    static final class Config extends Group {

        @Command(name = "get", description = "Print the document in force (or of --generation).")
        static final class Get extends Sub {
            @Parameters(index = "0", paramLabel = "DEVICE")
            String device;
            @Option(names = "--generation")
            Long generation;

            @Override
            public Integer call() {
                Map<String, Object> r = generation == null ? Map.of() : Map.of("generation", generation);
                return call(device, "config.get", r, (b, out) -> {
                    try {
                        out.println(Channel.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
                                b.path("document")));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        }

        @Command(name = "put", description = "Apply a document (test before commit); --dry-run shows the changes.")
        static final class Put extends Sub {
            @Parameters(index = "0", paramLabel = "DEVICE")
            String device;
            @Parameters(index = "1", paramLabel = "FILE")
            Path file;
            @Option(names = "--dry-run")
            boolean dryRun;

            @Override
            public Integer call() throws Exception {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("document", document(file));
                r.put("dryRun", dryRun);
                return call(device, "config.put", r, (b, out) -> {
                    if (b.path("dryRun").asBoolean()) {
                        b.path("changes").fields().forEachRemaining(e -> {
                            out.println(e.getKey() + ":");
                            e.getValue().forEach(line -> out.println("  " + line.asText()));
                        });
                    } else {
                        out.println(b.path("result").asText() + ": generation " + b.at("/generation/number").asText());
                    }
                });
            }
        }

        @Command(name = "validate", description = "Check a document; every error with its JSON pointer.")
        static final class Validate extends Sub {
            @Parameters(index = "0", paramLabel = "DEVICE")
            String device;
            @Parameters(index = "1", paramLabel = "FILE")
            Path file;

            @Override
            public Integer call() throws Exception {
                return call(device, "config.validate", Map.of("document", document(file)),
                        (b, out) -> out.println("valid"));
            }
        }

        @Command(name = "history", description = "The kept generations, newest first.")
        static final class History extends Sub {
            @Parameters(index = "0", paramLabel = "DEVICE")
            String device;

            @Override
            public Integer call() {
                return call(device, "config.history", Map.of(), (b, out) -> {
                    Table t = new Table("", "GENERATION", "COMMITTED", "SOURCE");
                    long current = b.path("current").asLong(-1);
                    b.path("generations").forEach(g -> t.row(g.path("number").asLong() == current ? "*" : "",
                            g.path("number").asText(), g.path("committedAt").asText(), g.path("source").asText()));
                    t.print(out);
                });
            }
        }

        @Command(name = "rollback", description = "Re-apply a kept generation (with test) as a new one.")
        static final class Rollback extends Sub {
            @Parameters(index = "0", paramLabel = "DEVICE")
            String device;
            @Parameters(index = "1", paramLabel = "GENERATION")
            long generation;

            @Override
            public Integer call() {
                return call(device, "config.rollback", Map.of("generation", generation), (b, out) ->
                        out.println(b.path("result").asText() + ": generation " + b.at("/generation/number").asText()));
            }
        }
    }

    @Command(name = "bundles", description = "The gateway's bundles and their states.")
    static final class Bundles extends Sub {
        @Parameters(index = "0", paramLabel = "DEVICE")
        String device;

        @Override
        public Integer call() {
            return call(device, "bundles.list", Map.of(), (b, out) -> {
                Table t = new Table("ID", "STATE", "VERSION", "ORIGIN", "PREVIOUS", "NAME");
                b.path("bundles").forEach(x -> t.row(x.path("id").asText(), x.path("state").asText(),
                        x.path("version").asText(), x.path("origin").asText(null),
                        x.path("previousVersion").asText(null), x.path("symbolicName").asText()));
                t.print(out);
            });
        }
    }

    @Command(name = "leases", description = "DHCP and DNS the gateway serves per port, and the leases it handed out.")
    static final class Leases extends Sub {
        @Parameters(index = "0", paramLabel = "DEVICE")
        String device;

        @Option(names = "--port", description = "Only this port.")
        String port = "";

        @Override
        public Integer call() {
            return call(device, "dhcp.leases", Map.of("port", port), Leases::print);
        }

        /** Two tables: what each port serves, then the leases. */
        static void print(JsonNode b, PrintWriter out) {
            Table ports = new Table("PORT", "ADDRESS", "RANGE", "LEASE S", "ROUTER", "DNS", "FORWARDS TO");
            b.path("ports").properties().forEach(e -> ports.row(e.getKey(), e.getValue().path("address").asText(),
                    e.getValue().path("range").asText(null), e.getValue().path("leaseSeconds").asText(null),
                    e.getValue().has("router") ? e.getValue().path("router").asText() : null,
                    e.getValue().path("dns").asText(), forwards(e.getValue().path("forwardsTo"))));
            ports.print(out);
            out.println();
            Table leases = new Table("PORT", "MAC", "ADDRESS", "NAME", "EXPIRES");
            b.path("leases").forEach(l -> leases.row(l.path("port").asText(), l.path("mac").asText(),
                    l.path("address").asText(), l.path("name").asText(""), l.path("expires").asText()));
            leases.print(out);
        }

        private static String forwards(JsonNode list) {
            java.util.List<String> servers = new java.util.ArrayList<>();
            list.forEach(s -> servers.add(s.asText()));
            return servers.isEmpty() ? "local names only" : String.join(",", servers);
        }
    }

    @Command(name = "time", description = "The gateway's clock: whether it is synchronised, to what, and its sources.")
    static final class Time extends Sub {
        @Parameters(index = "0", paramLabel = "DEVICE")
        String device;

        @Override
        public Integer call() {
            return call(device, "time.status", Map.of(), Time::print);
        }

        /** One table of the clock's state, then one of its sources. */
        static void print(JsonNode b, PrintWriter out) {
            Table clock = new Table("KEPT", "SYNCHRONISED", "SOURCE", "STRATUM", "OFFSET S", "LAST SYNC", "SERVES");
            java.util.List<String> serves = new java.util.ArrayList<>();
            b.path("serves").forEach(s -> serves.add(s.asText()));
            clock.row(b.path("kept").asText(), b.path("synchronised").asText(), b.path("source").asText(""),
                    b.path("stratum").asText(), b.path("offsetSeconds").asText(), b.path("lastSync").asText(""),
                    serves.isEmpty() ? "nobody" : String.join(",", serves));
            clock.print(out);
            out.println();
            Table sources = new Table("SOURCE", "STATE", "STRATUM", "REACH");
            b.path("sources").forEach(s -> sources.row(s.path("address").asText(), s.path("state").asText(),
                    s.path("stratum").asText(), s.path("reach").asText()));
            sources.print(out);
        }
    }

    @Command(name = "diag", description = "Troubleshooting from the gateway itself: ping, resolve, route.",
            subcommands = {Diag.Ping.class, Diag.Resolve.class, Diag.Route.class})
    static final class Diag extends Group {

        @Command(name = "ping", description = "Ping a target from the gateway.")
        static final class Ping extends Sub {
            @Parameters(index = "0", paramLabel = "DEVICE")
            String device;
            @Parameters(index = "1", paramLabel = "TARGET")
            String target;
            @Option(names = "--count", defaultValue = "3")
            int count;
            @Option(names = "--interface")
            String device2;

            @Override
            public Integer call() {
                Map<String, Object> r = new LinkedHashMap<>(Map.of("target", target, "count", count));
                if (device2 != null) {
                    r.put("interface", device2);
                }
                return call(device, "diag.ping", r, (b, out) -> out.printf("%s: %d/%d received%s%s%n",
                        b.path("target").asText(), b.path("received").asInt(), b.path("transmitted").asInt(),
                        b.path("rttMs").isObject() ? ", rtt avg " + b.at("/rttMs/avg").asText() + " ms" : "",
                        b.path("problem").isTextual() ? " (" + b.path("problem").asText() + ")" : ""));
            }
        }

        @Command(name = "resolve", description = "Resolve a name through the gateway's DNS servers.")
        static final class Resolve extends Sub {
            @Parameters(index = "0", paramLabel = "DEVICE")
            String device;
            @Parameters(index = "1", paramLabel = "NAME")
            String name;

            @Override
            public Integer call() {
                return call(device, "diag.resolve", Map.of("name", name), (b, out) -> out.printf("%s -> %s%s (servers %s)%n",
                        b.path("name").asText(), b.path("addresses").isEmpty() ? "nothing"
                                : String.join(", ", Channel.JSON.convertValue(b.path("addresses"), String[].class)),
                        b.path("problem").isTextual() ? ": " + b.path("problem").asText() : "",
                        String.join(", ", Channel.JSON.convertValue(b.path("servers"), String[].class))));
            }
        }

        @Command(name = "route", description = "What the kernel does with a packet (ip route get).")
        static final class Route extends Sub {
            @Parameters(index = "0", paramLabel = "DEVICE")
            String device;
            @Parameters(index = "1", paramLabel = "DESTINATION")
            String destination;
            @Option(names = "--from", description = "Source address")
            String source;
            @Option(names = "--iif", description = "As if it came in on this interface")
            String input;

            @Override
            public Integer call() {
                Map<String, Object> r = new LinkedHashMap<>(Map.of("destination", destination));
                if (source != null) {
                    r.put("source", source);
                }
                if (input != null) {
                    r.put("interface", input);
                }
                return call(device, "diag.route", r, (b, out) -> out.printf("%s %s dev %s via %s src %s%s%n",
                        b.path("type").asText(), b.path("destination").asText(), b.path("interface").asText("-"),
                        b.path("gateway").asText("-"), b.path("source").asText("-"),
                        b.path("problem").isTextual() ? " (" + b.path("problem").asText() + ")" : ""));
            }
        }
    }
}
