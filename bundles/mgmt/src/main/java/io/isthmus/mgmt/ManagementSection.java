package io.isthmus.mgmt;

import io.isthmus.api.config.ManagementConfig.CommandPolicy;
import io.isthmus.api.config.ManagementConfig.Proxy;
import io.isthmus.api.config.ManagementConfig.Tls;
import io.isthmus.api.config.ManagementConfig;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads {@code /management}: the MQTT brokers, the device id used in topics, and how to log in. */
// public for the schema test of io.isthmus.config, which holds these keys against the published schema
public final class ManagementSection {
    public static final List<String> KEYS = List.of("brokers", "deviceId", "mqttVersion", "username", "password",
            "passwordFile", "keepAliveSeconds", "tls", "commands", "proxy");
    public static final List<String> PROXY_KEYS = List.of("url", "credentialsFile", "noProxy");
    /** A noProxy entry: *, a host name (a leading dot allowed), an IPv4 address or CIDR block. */
    public static final Pattern NO_PROXY = Pattern.compile("\\*|\\.?[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*"
            + "|[0-9]{1,3}(\\.[0-9]{1,3}){3}/([0-9]|[12][0-9]|3[0-2])");
    public static final List<String> TLS_KEYS = List.of("caFile", "certFile", "keyFile");
    public static final List<String> COMMANDS_KEYS = List.of("allow", "deny");
    private static final String COMMAND_PATTERN = "a command name (config.put), a family (diag.*) or *";
    static final List<String> MQTT_VERSIONS = List.of(ManagementConfig.MQTT_5, ManagementConfig.MQTT_3_1_1);
    private static final List<String> SCHEMES = List.of("tcp", "ssl", "ws", "wss", "mqtt", "mqtts");
    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern ABSOLUTE_PATH = Pattern.compile("/[^\\x00-\\x1f]*");
    private static final String PATH = "an absolute file path";
    /** A user name goes into the CONNECT packet and the log lines: a control character breaks both. */
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x1f\\x7f]");

    private final JsonReader in;

    ManagementSection(JsonReader in) {
        this.in = in;
    }

    ManagementConfig read(Optional<JsonValue> section) {
        return section.flatMap(s -> in.object(s, KEYS)).map(this::management).orElse(ManagementConfig.empty());
    }

    private ManagementConfig management(JsonValue s) {
        Optional<String> username = s.get("username").flatMap(in::nonEmptyString).flatMap(u -> CONTROL.matcher(u)
                .find() ? in.fail(s.get("username").orElseThrow(), "a user name has no control characters (newline, tab, ...)")
                : Optional.of(u));
        Optional<String> password = s.get("password").flatMap(in::string);
        Optional<String> passwordFile = s.get("passwordFile").flatMap(f -> in.matching(f, ABSOLUTE_PATH, PATH));
        if (password.isPresent() && passwordFile.isPresent()) {
            in.error(s.pointer() + "/passwordFile", "give either \"password\" or \"passwordFile\", not both");
        }
        // MQTT 3.1.1 sends a password only along with a user name; say so before a broker refuses it.
        if ((password.isPresent() || passwordFile.isPresent()) && s.get("username").isEmpty()) {
            in.error(s.pointer(), "missing \"username\": a password needs a user name");
        }
        return new ManagementConfig(
                in.optionalList(s, "brokers", this::broker),
                s.get("deviceId").flatMap(d -> in.matching(d, DEVICE_ID, "1 to 64 of A-Z a-z 0-9 _ -")),
                s.get("mqttVersion").flatMap(v -> in.oneOf(v, "MQTT version", MQTT_VERSIONS))
                        .orElse(ManagementConfig.MQTT_5),
                username, password, passwordFile,
                s.get("keepAliveSeconds").flatMap(k -> in.integer(k, 5, 3600))
                        .orElse(ManagementConfig.DEFAULT_KEEP_ALIVE_SECONDS),
                s.get("tls").flatMap(t -> in.object(t, TLS_KEYS)).map(this::tls).orElse(Tls.none()),
                s.get("commands").flatMap(c -> in.object(c, COMMANDS_KEYS)).map(this::commands)
                        .orElse(CommandPolicy.ALL),
                s.get("proxy").flatMap(p -> in.object(p, PROXY_KEYS)).flatMap(this::proxy));
    }

    /** {@code proxy}: {@code url} http://host:port (credentials only from a file, never in the document). */
    private Optional<Proxy> proxy(JsonValue p) {
        Optional<URI> url = in.required(p, "url", "the proxy's URL http://host:port").flatMap(in::string)
                .flatMap(text -> {
                    JsonValue at = p.get("url").orElseThrow();
                    String expected = "; expected http://host:port";
                    try {
                        URI u = new URI(text);
                        if (!"http".equals(u.getScheme())) {
                            return in.fail(at, "unsupported proxy scheme in " + at.describe() + expected);
                        }
                        if (u.getRawUserInfo() != null) {
                            return in.fail(at, "credentials in " + at.describe() + ": put \"user:password\" in a "
                                    + "file and give it as \"credentialsFile\"");
                        }
                        if (u.getHost() == null || u.getPort() < 1) {
                            return in.fail(at, "no host or port in " + at.describe() + expected);
                        }
                        if (!(u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/"))
                                || u.getRawQuery() != null || u.getRawFragment() != null) {
                            return in.fail(at, "a path, query or fragment in " + at.describe() + expected);
                        }
                        return Optional.of(u);
                    } catch (URISyntaxException e) {
                        return in.fail(at, at.describe() + " is not a URL (" + e.getReason() + ")" + expected);
                    }
                });
        Optional<String> credentials = p.get("credentialsFile").flatMap(f -> in.matching(f, ABSOLUTE_PATH, PATH));
        List<String> noProxy = in.optionalList(p, "noProxy", e -> in.matching(e, NO_PROXY,
                "*, a host name (.example.com), an IPv4 address or an IPv4 CIDR block (10.0.0.0/8)"));
        return url.map(u -> new Proxy(u.getHost(), u.getPort(), credentials, noProxy));
    }

    /** {@code commands}: allow (default every command) minus deny; patterns only, names are not checked. */
    private CommandPolicy commands(JsonValue c) {
        List<String> allow = c.get("allow").flatMap(a -> in.list(a, this::commandPattern)).orElse(List.of("*"));
        c.get("allow").filter(a -> a.isArray() && a.elements().isEmpty()).ifPresent(a -> in.error(a.pointer(),
                "an empty allow list forbids every command; to turn remote management off, remove the brokers"));
        return new CommandPolicy(allow, in.optionalList(c, "deny", this::commandPattern));
    }

    private Optional<String> commandPattern(JsonValue at) {
        return in.string(at).flatMap(p -> CommandPolicy.PATTERN.matcher(p).matches() ? Optional.of(p)
                : in.fail(at, at.describe() + " is not a command pattern: expected " + COMMAND_PATTERN));
    }

    private Tls tls(JsonValue t) {
        Optional<String> cert = t.get("certFile").flatMap(f -> in.matching(f, ABSOLUTE_PATH, PATH));
        Optional<String> key = t.get("keyFile").flatMap(f -> in.matching(f, ABSOLUTE_PATH, PATH));
        if (t.get("certFile").isPresent() != t.get("keyFile").isPresent()) {
            in.error(t.pointer(), "a client certificate needs both \"certFile\" and \"keyFile\"");
        }
        return new Tls(t.get("caFile").flatMap(f -> in.matching(f, ABSOLUTE_PATH, PATH)), cert, key);
    }

    private Optional<String> broker(JsonValue at) {
        return in.string(at).flatMap(text -> {
            String expected = "; expected a URI like ssl://broker.example.com:8883 with scheme "
                    + String.join(", ", SCHEMES);
            URI uri;
            try {
                uri = new URI(text);
            } catch (URISyntaxException e) {
                return in.fail(at, at.describe() + " is not a URI (" + e.getReason() + ")" + expected);
            }
            // Lower case only: the MQTT client compares schemes exactly, so "SSL://" would fail at connect time.
            if (uri.getScheme() == null || !SCHEMES.contains(uri.getScheme())) {
                return in.fail(at, "unsupported broker scheme in " + at.describe() + expected);
            }
            if (uri.getHost() == null) {
                return in.fail(at, "no host in " + at.describe() + expected);
            }
            return Optional.of(text);
        });
    }
}
