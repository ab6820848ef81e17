package io.isthmus.net.wifi;

import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import java.util.List;
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

    /** Reads {@code at} (an {@code eap} object); its errors go to {@code in}. Empty when it had any. */
    static Optional<EapSettings> parse(JsonReader in, JsonValue at) {
        if (!at.isObject()) {
            return in.fail(at, "must be an object");
        }
        int before = in.errorCount();
        String base = at.pointer();
        WifiSettings.onlyKeys(in, at, KEYS);
        Optional<Method> method = WifiSettings.text(in, at, "method").flatMap(m -> {
            Optional<Method> known = Method.of(m);
            if (known.isEmpty()) {
                in.error(base + "/method", "unknown EAP method " + WifiSettings.quote(m) + "; one of peap, ttls, tls, pwd");
            }
            return known;
        });
        if (!at.has("method")) {
            in.error(base + "/method", "required: peap, ttls, tls or pwd");
        }
        Optional<String> identity = WifiSettings.text(in, at, "identity");
        Optional<String> anonymous = WifiSettings.text(in, at, "anonymousIdentity");
        Optional<String> password = WifiSettings.text(in, at, "password");
        Optional<String> phase2 = WifiSettings.text(in, at, "phase2");
        Optional<String> caCert = file(in, at, "caCert");
        Optional<String> clientCert = file(in, at, "clientCert");
        Optional<String> privateKey = file(in, at, "privateKey");
        Optional<String> keyPassword = WifiSettings.text(in, at, "privateKeyPassword");
        if (identity.isEmpty()) {
            in.error(base + "/identity", "required: the user or device name the network knows");
        }
        method.ifPresent(m -> {
            if (m == Method.TLS) {
                if (clientCert.isEmpty()) {
                    in.error(base + "/clientCert", "required for EAP-TLS");
                }
                if (privateKey.isEmpty()) {
                    in.error(base + "/privateKey", "required for EAP-TLS");
                }
                phase2.ifPresent(p -> in.error(base + "/phase2", "EAP-TLS has no inner method"));
            } else if (password.isEmpty()) {
                in.error(base + "/password", "required for EAP-" + m.wpa);
            }
            if (m == Method.PWD && phase2.isPresent()) {
                in.error(base + "/phase2", "EAP-pwd has no inner method");
            }
        });
        phase2.filter(p -> !PHASE2.contains(p)).ifPresent(p -> in.error(base + "/phase2",
                "unknown inner method " + WifiSettings.quote(p) + "; one of " + String.join(", ", PHASE2)));
        password.filter(String::isEmpty).ifPresent(p -> in.error(base + "/password", "must not be empty"));
        if (in.errorCount() > before) {
            return Optional.empty();
        }
        return Optional.of(new EapSettings(method.orElseThrow(), identity, anonymous, password, phase2, caCert,
                clientCert, privateKey, keyPassword));
    }

    private static Optional<String> file(JsonReader in, JsonValue at, String key) {
        return WifiSettings.text(in, at, key).filter(path -> {
            boolean ok = path.startsWith("/") && !path.contains("\"");
            if (!ok) {
                in.error(at.pointer() + "/" + key, "must be an absolute path to a PEM file on the gateway");
            }
            return ok;
        });
    }
}
