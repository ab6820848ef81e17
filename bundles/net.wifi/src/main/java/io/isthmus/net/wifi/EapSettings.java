package io.isthmus.net.wifi;

import io.isthmus.api.config.ValidationError;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * 802.1X credentials ({@code ports.<name>.wifi.eap}). File settings name PEM files on the gateway (absolute paths);
 * {@code password} and {@code privateKeyPassword} are secrets: config.get hides them, the driver sends them only
 * over wpa_supplicant's control socket.
 */
record EapSettings(Method method, Optional<String> identity, Optional<String> anonymousIdentity,
        Optional<String> password, Optional<String> phase2, Optional<String> caCert, Optional<String> clientCert,
        Optional<String> privateKey, Optional<String> privateKeyPassword) {

    static final List<String> KEYS = List.of("method", "identity", "anonymousIdentity", "password", "phase2", "caCert",
            "clientCert", "privateKey", "privateKeyPassword");
    static final List<String> PHASE2 = List.of("mschapv2", "pap", "chap", "gtc", "md5");

    enum Method {
        PEAP("peap", "PEAP"), TTLS("ttls", "TTLS"), TLS("tls", "TLS"), PWD("pwd", "PWD");

        final String id;
        final String wpa;

        Method(String id, String wpa) {
            this.id = id;
            this.wpa = wpa;
        }

        static Optional<Method> of(String id) {
            return WifiSettings.byId(values(), m -> m.id, id);
        }
    }

    static Optional<EapSettings> parse(Object value, String base, List<ValidationError> errors) {
        if (!(value instanceof Map<?, ?> map)) {
            errors.add(new ValidationError(base, "must be an object"));
            return Optional.empty();
        }
        WifiSettings.Fields f = new WifiSettings.Fields(map, base, errors);
        f.onlyKeys(KEYS);
        Optional<Method> method = f.string("method").flatMap(m -> {
            Optional<Method> known = Method.of(m);
            if (known.isEmpty()) {
                f.error("method", "unknown EAP method " + WifiSettings.quote(m) + "; one of peap, ttls, tls, pwd");
            }
            return known;
        });
        if (!map.containsKey("method")) {
            f.error("method", "required: peap, ttls, tls or pwd");
        }
        Optional<String> identity = f.string("identity");
        Optional<String> anonymous = f.string("anonymousIdentity");
        Optional<String> password = f.string("password");
        Optional<String> phase2 = f.string("phase2");
        Optional<String> caCert = file(f, "caCert");
        Optional<String> clientCert = file(f, "clientCert");
        Optional<String> privateKey = file(f, "privateKey");
        Optional<String> keyPassword = f.string("privateKeyPassword");
        if (identity.isEmpty()) {
            f.error("identity", "required: the user or device name the network knows");
        }
        method.ifPresent(m -> {
            if (m == Method.TLS) {
                if (clientCert.isEmpty()) {
                    f.error("clientCert", "required for EAP-TLS");
                }
                if (privateKey.isEmpty()) {
                    f.error("privateKey", "required for EAP-TLS");
                }
                phase2.ifPresent(p -> f.error("phase2", "EAP-TLS has no inner method"));
            } else if (password.isEmpty()) {
                f.error("password", "required for EAP-" + m.wpa);
            }
            if (m == Method.PWD && phase2.isPresent()) {
                f.error("phase2", "EAP-pwd has no inner method");
            }
        });
        phase2.filter(p -> !PHASE2.contains(p)).ifPresent(p -> f.error("phase2",
                "unknown inner method " + WifiSettings.quote(p) + "; one of " + String.join(", ", PHASE2)));
        password.filter(String::isEmpty).ifPresent(p -> f.error("password", "must not be empty"));
        if (f.failed()) {
            return Optional.empty();
        }
        return Optional.of(new EapSettings(method.orElseThrow(), identity, anonymous, password, phase2, caCert,
                clientCert, privateKey, keyPassword));
    }

    private static Optional<String> file(WifiSettings.Fields f, String key) {
        return f.string(key).filter(path -> {
            boolean ok = path.startsWith("/") && !path.contains("\"");
            if (!ok) {
                f.error(key, "must be an absolute path to a PEM file on the gateway");
            }
            return ok;
        });
    }
}
