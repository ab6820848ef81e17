package io.isthmus.api.config;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The remote management channel. Empty brokers: no remote management.
 *
 * @param brokers          broker URIs, tried in order
 * @param deviceId         the id in topics {@code isthmus/v1/<deviceId>/}; empty: the host name
 * @param mqttVersion      {@value #MQTT_5} or {@value #MQTT_3_1_1}
 * @param username         MQTT user name, if the broker wants one
 * @param password         MQTT password given inline (kept in the generations on disk)
 * @param passwordFile     a file holding the password (first line), read at connect time
 * @param keepAliveSeconds MQTT keep-alive: how soon a dead connection is noticed
 * @param tls              for {@code ssl://}, {@code mqtts://} and {@code wss://} brokers
 * @param commands         which commands the agent runs (default: all)
 * @param proxy            the HTTP proxy the management traffic goes through; empty: the service's environment
 *                         ({@code https_proxy}) decides (api.config 1.4)
 */
@ProviderType
public record ManagementConfig(List<String> brokers, Optional<String> deviceId, String mqttVersion,
        Optional<String> username, Optional<String> password, Optional<String> passwordFile, int keepAliveSeconds,
        Tls tls, CommandPolicy commands, Optional<Proxy> proxy) {
    public static final String MQTT_5 = "5";
    public static final String MQTT_3_1_1 = "3.1.1";
    public static final int DEFAULT_KEEP_ALIVE_SECONDS = 30;

    /**
     * TLS: the server is always verified (certificate chain and host name) against {@code caFile}, else the
     * JVM's trusted CAs; {@code certFile} + {@code keyFile} (PEM, key in PKCS#8) authenticate the gateway.
     */
    public record Tls(Optional<String> caFile, Optional<String> certFile, Optional<String> keyFile) {
        public static Tls none() {
            return new Tls(Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    /**
     * Which commands this gateway runs, beyond what the broker's ACLs let through: a command runs when it matches
     * an {@code allow} pattern and no {@code deny} pattern; any other gets 403 {@code forbidden} before a handler
     * runs. A pattern is a command name ({@code config.put}), a family ({@code diag.*}: every command starting
     * with {@code diag.}) or {@code *} (every command).
     */
    public record CommandPolicy(List<String> allow, List<String> deny) {
        /** A command name, a family {@code name.*}, or {@code *}. */
        public static final Pattern PATTERN = Pattern.compile("\\*|[a-z0-9][a-z0-9._-]{0,63}|[a-z0-9][a-z0-9._-]{0,61}\\.\\*");
        public static final CommandPolicy ALL = new CommandPolicy(List.of("*"), List.of());

        public CommandPolicy {
            allow = List.copyOf(allow);
            deny = List.copyOf(deny);
        }

        public boolean allows(String command) {
            return allow.stream().anyMatch(p -> matches(p, command)) && deny.stream().noneMatch(p -> matches(p,
                    command));
        }

        public static boolean matches(String pattern, String command) {
            if (pattern.equals("*")) {
                return true;
            }
            return pattern.endsWith(".*") ? command.startsWith(pattern.substring(0, pattern.length() - 1))
                    : pattern.equals(command);
        }
    }

    /**
     * An HTTP proxy reached with {@code CONNECT host:port} (MQTT over TLS or WebSocket, HTTPS downloads).
     *
     * @param host            the proxy's host name or address
     * @param port            its port
     * @param credentialsFile a file whose first line is {@code user:password} for Basic proxy authentication,
     *                        read at connect time
     * @param noProxy         destinations reached directly: {@code *}, a host name (also matches its
     *                        subdomains; a leading dot is ignored), an IP address or an IPv4 CIDR block
     */
    public record Proxy(String host, int port, Optional<String> credentialsFile, List<String> noProxy) {
        public Proxy {
            noProxy = List.copyOf(noProxy);
        }

        /** Whether a connection to {@code destination} (a host name or address) goes through this proxy. */
        public boolean appliesTo(String destination) {
            String d = destination.toLowerCase(java.util.Locale.ROOT);
            return noProxy.stream().map(e -> e.toLowerCase(java.util.Locale.ROOT)).noneMatch(e -> bypasses(e, d));
        }

        private static boolean bypasses(String entry, String destination) {
            if (entry.equals("*")) {
                return true;
            }
            int slash = entry.indexOf('/');
            if (slash > 0) {
                String bits = entry.substring(slash + 1);
                return bits.matches("[0-9]{1,2}") && inBlock(entry.substring(0, slash), Integer.parseInt(bits),
                        destination);
            }
            String name = entry.startsWith(".") ? entry.substring(1) : entry;
            return destination.equals(name) || destination.endsWith("." + name);
        }

        /**
         * The proxy the service's environment names, as curl reads it: {@code https_proxy} (else
         * {@code HTTPS_PROXY}) {@code http://host:port} or {@code host:port} (port 1080 when left out), and
         * {@code no_proxy} (else {@code NO_PROXY}), comma-separated. Credentials in that URL are not used: the
         * gateway reads proxy credentials only from a file, {@code management.proxy.credentialsFile}.
         */
        public static Optional<Proxy> fromEnvironment(java.util.Map<String, String> env) {
            Optional<String> url = first(env, "https_proxy", "HTTPS_PROXY");
            if (url.isEmpty()) {
                return Optional.empty();
            }
            try {
                String text = url.get().contains("://") ? url.get() : "http://" + url.get();
                java.net.URI u = new java.net.URI(text);
                if (!"http".equals(u.getScheme()) || u.getHost() == null) {
                    return Optional.empty();
                }
                List<String> no = first(env, "no_proxy", "NO_PROXY").stream()
                        .flatMap(n -> java.util.Arrays.stream(n.split(","))).map(String::trim)
                        .filter(n -> !n.isEmpty()).toList();
                return Optional.of(new Proxy(u.getHost(), u.getPort() > 0 ? u.getPort() : 1080, Optional.empty(), no));
            } catch (java.net.URISyntaxException e) {
                return Optional.empty();
            }
        }

        private static Optional<String> first(java.util.Map<String, String> env, String... names) {
            return java.util.Arrays.stream(names).map(env::get).filter(v -> v != null && !v.isBlank()).findFirst()
                    .map(String::trim);
        }

        private static boolean inBlock(String network, int bits, String destination) {
            if (bits < 0 || bits > 32) {
                return false;
            }
            OptionalLong net = ipv4(network);
            OptionalLong addr = ipv4(destination);
            if (net.isEmpty() || addr.isEmpty()) {
                return false;
            }
            long mask = bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
            return (net.getAsLong() & mask) == (addr.getAsLong() & mask);
        }

        private static OptionalLong ipv4(String text) {
            String[] parts = text.split("\\.", -1);
            if (parts.length != 4) {
                return OptionalLong.empty();
            }
            long v = 0;
            for (String p : parts) {
                if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > 255) {
                    return OptionalLong.empty();
                }
                v = v << 8 | Integer.parseInt(p);
            }
            return OptionalLong.of(v);
        }
    }

    public ManagementConfig {
        brokers = List.copyOf(brokers);
    }

    /** No proxy in the document: the shape before proxies (api.config 1.3). */
    public ManagementConfig(List<String> brokers, Optional<String> deviceId, String mqttVersion,
            Optional<String> username, Optional<String> password, Optional<String> passwordFile, int keepAliveSeconds,
            Tls tls, CommandPolicy commands) {
        this(brokers, deviceId, mqttVersion, username, password, passwordFile, keepAliveSeconds, tls, commands,
                Optional.empty());
    }

    /** Every command allowed: the shape before command policies (api.config 1.1). */
    public ManagementConfig(List<String> brokers, Optional<String> deviceId, String mqttVersion,
            Optional<String> username, Optional<String> password, Optional<String> passwordFile, int keepAliveSeconds,
            Tls tls) {
        this(brokers, deviceId, mqttVersion, username, password, passwordFile, keepAliveSeconds, tls,
                CommandPolicy.ALL);
    }

    /** Brokers and device id with every other field at its default. */
    public ManagementConfig(List<String> brokers, Optional<String> deviceId) {
        this(brokers, deviceId, MQTT_5, Optional.empty(), Optional.empty(), Optional.empty(),
                DEFAULT_KEEP_ALIVE_SECONDS, Tls.none());
    }

    public static ManagementConfig empty() {
        return new ManagementConfig(List.of(), Optional.empty());
    }
}
