package io.isthmus.mgmt;

import io.isthmus.api.config.ManagementConfig;
import io.isthmus.api.config.ManagementConfig.Tls;
import io.isthmus.mgmt.transport.ClockPolicy;
import io.isthmus.mgmt.transport.Endpoint;
import io.isthmus.mgmt.transport.Mqtt3Transport;
import io.isthmus.mgmt.transport.Mqtt5Transport;
import io.isthmus.mgmt.transport.NoDelaySockets;
import io.isthmus.mgmt.transport.ProxiedSockets;
import io.isthmus.mgmt.transport.Session;
import io.isthmus.mgmt.transport.TlsSockets;
import io.isthmus.mgmt.transport.Transport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * What the session connects with, built at each attempt from the section: one endpoint per broker URI (password
 * file, certificates, proxy, Last Will read now) and the MQTT client for its version.
 */
final class BrokerEndpoints {
    /** The TLS files in force: the document's, with an installed or trial certificate in place of its own. */
    interface TlsFiles {
        Tls of(ManagementConfig m) throws IOException;
    }

    private final TlsFiles tlsFiles;
    /** Judges a broker certificate not yet valid at a clock that may not be synchronised yet. */
    private final ClockPolicy clock;
    /** The Last Will's payload: the retained state saying offline. */
    private final Supplier<byte[]> will;
    private final long sessionExpirySeconds;
    private final long willDelaySeconds;

    BrokerEndpoints(TlsFiles tlsFiles, ClockPolicy clock, Supplier<byte[]> will, long sessionExpirySeconds,
            long willDelaySeconds) {
        this.tlsFiles = tlsFiles;
        this.clock = clock;
        this.will = will;
        this.sessionExpirySeconds = sessionExpirySeconds;
        this.willDelaySeconds = willDelaySeconds;
    }

    static Transport transport(Endpoint endpoint, Transport.Listener listener) throws Exception {
        return endpoint.mqtt5() ? new Mqtt5Transport(endpoint, listener) : new Mqtt3Transport(endpoint, listener);
    }

    /** One endpoint per broker URI, built at each attempt: the password file and certificates are read now. */
    List<Endpoint> endpoints(Session.Target t) throws IOException, GeneralSecurityException {
        ManagementConfig m = t.config();
        Optional<char[]> password = m.password().map(String::toCharArray);
        if (m.passwordFile().isPresent()) {
            password = Optional.of(Files.readAllLines(Path.of(m.passwordFile().get()), StandardCharsets.UTF_8)
                    .stream().findFirst().orElse("").toCharArray());
        }
        Optional<SSLSocketFactory> tls = m.brokers().stream().anyMatch(Endpoint::secure)
                ? Optional.of(TlsSockets.factory(tlsFiles.of(m), Optional.of(clock))) : Optional.empty();
        Optional<ManagementConfig.Proxy> proxy = proxy(m);
        byte[] will = this.will.get();
        List<Endpoint> out = new ArrayList<>();
        for (String broker : m.brokers()) {
            Optional<ManagementConfig.Proxy> via = proxy.filter(p -> p.appliesTo(Endpoint.host(broker)));
            SocketFactory sockets = Endpoint.secure(broker)
                    ? via.map(p -> (SocketFactory) ProxiedSockets.tls(tls.get(), p))
                            .orElseGet(() -> NoDelaySockets.tls(tls.get()))
                    : via.map(ProxiedSockets::plain).orElseGet(NoDelaySockets::plain);
            out.add(new Endpoint(broker, "isthmus-" + t.topics().deviceId(), m.mqttVersion(), m.username(), password,
                    m.keepAliveSeconds(), sockets, t.topics().state(), will, sessionExpirySeconds,
                    willDelaySeconds));
        }
        return out;
    }

    /** The document's proxy, else the one the service's environment names ({@code https_proxy}). */
    static Optional<ManagementConfig.Proxy> proxy(ManagementConfig m) {
        return m.proxy().or(() -> ManagementConfig.Proxy.fromEnvironment(System.getenv()));
    }
}
