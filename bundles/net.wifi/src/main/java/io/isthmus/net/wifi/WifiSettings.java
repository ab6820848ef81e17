package io.isthmus.net.wifi;

import io.isthmus.api.config.ValidationError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code ports.<name>.wifi} object of the document, checked. {@link #parse} is the one place its rules live:
 * the validator reports its errors with pointers, the driver uses its result.
 *
 * @param ssid    empty: no network, the port stays down (wpa_supplicant idle)
 * @param bssid   pins the access point (lower case)
 * @param preferredBssid the access point to try first; others of the SSID remain allowed (lower case)
 * @param band    limits association to a band
 * @param country ISO 3166 alpha-2 regulatory domain, upper case
 */
record WifiSettings(Optional<String> ssid, boolean hidden, Security security, Optional<String> psk,
        Optional<EapSettings> eap, Optional<String> bssid, Optional<String> preferredBssid, Band band,
        Optional<String> country) {

    static final String KEY = "wifi";
    static final List<String> KEYS = List.of("ssid", "hidden", "security", "psk", "eap", "bssid", "preferredBssid",
            "band", "country");
    private static final Pattern HEX64 = Pattern.compile("[0-9A-Fa-f]{64}");
    private static final Pattern BSSID = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}");
    private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");

    enum Security {
        OPEN("open"), WPA2_PSK("wpa2-psk"), WPA3_SAE("wpa3-sae"), WPA2_EAP("wpa2-eap");

        final String id;

        Security(String id) {
            this.id = id;
        }

        static Optional<Security> of(String id) {
            return byId(values(), s -> s.id, id);
        }
    }

    enum Band {
        ANY("any"), GHZ_2_4("2.4"), GHZ_5("5");

        final String id;

        Band(String id) {
            this.id = id;
        }

        static Optional<Band> of(String id) {
            return byId(values(), b -> b.id, id);
        }

        /** The band of a frequency in MHz: "2.4", "5", "6" or empty. */
        static Optional<String> ofFrequency(int mhz) {
            if (mhz >= 2400 && mhz < 2500) {
                return Optional.of("2.4");
            }
            if (mhz >= 5150 && mhz < 5925) {
                return Optional.of("5");
            }
            if (mhz >= 5925 && mhz <= 7125) {
                return Optional.of("6");
            }
            return Optional.empty();
        }
    }

    /** No {@code wifi} object: nothing to join. */
    static final WifiSettings NONE = new WifiSettings(Optional.empty(), false, Security.OPEN, Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), Band.ANY, Optional.empty());

    /**
     * Checks a port's {@code wifi} value (absent: {@link #NONE}); every problem goes to {@code errors} with an
     * absolute pointer under {@code base} (e.g. {@code /ports/wlan0/wifi}). Empty when there was any problem.
     */
    static Optional<WifiSettings> parse(Object value, String base, List<ValidationError> errors) {
        if (value == null) {
            return Optional.of(NONE);
        }
        if (!(value instanceof Map<?, ?> map)) {
            errors.add(new ValidationError(base, "must be an object"));
            return Optional.empty();
        }
        Fields f = new Fields(map, base, errors);
        f.onlyKeys(KEYS);
        Optional<String> ssid = f.string("ssid");
        ssid.ifPresent(s -> {
            int bytes = s.getBytes(StandardCharsets.UTF_8).length;
            if (bytes < 1 || bytes > 32) {
                f.error("ssid", "must be 1 to 32 bytes (UTF-8); this one has " + bytes);
            }
        });
        boolean hidden = f.bool("hidden").orElse(false);
        Optional<String> psk = f.string("psk");
        Security security = f.string("security").map(id -> Security.of(id).orElseGet(() -> {
            f.error("security", "unknown security " + quote(id) + "; one of open, wpa2-psk, wpa3-sae, wpa2-eap");
            return Security.OPEN;
        })).orElse(psk.isPresent() ? Security.WPA2_PSK : map.containsKey("eap") ? Security.WPA2_EAP : Security.OPEN);
        psk.ifPresent(p -> checkPsk(p, security, f));
        if ((security == Security.WPA2_PSK || security == Security.WPA3_SAE) && psk.isEmpty() && ssid.isPresent()) {
            f.error("psk", "required for security " + security.id);
        }
        if (psk.isPresent() && (security == Security.OPEN || security == Security.WPA2_EAP)) {
            f.error("psk", "not used with security " + security.id + "; remove it");
        }
        Optional<EapSettings> eap = Optional.empty();
        if (map.containsKey("eap")) {
            if (security != Security.WPA2_EAP) {
                f.error("eap", "only used with security wpa2-eap");
            }
            eap = EapSettings.parse(map.get("eap"), base + "/eap", errors);
        } else if (security == Security.WPA2_EAP && ssid.isPresent()) {
            f.error("eap", "required for security wpa2-eap");
        }
        Optional<String> bssid = bssid(f, "bssid");
        Optional<String> preferred = bssid(f, "preferredBssid");
        if (bssid.isPresent() && preferred.isPresent()) {
            f.error("preferredBssid", "not used together with bssid (which pins one access point)");
        }
        Band band = f.string("band").map(b -> Band.of(b).orElseGet(() -> {
            f.error("band", "unknown band " + quote(b) + "; one of any, 2.4, 5");
            return Band.ANY;
        })).orElse(Band.ANY);
        Optional<String> country = f.string("country").filter(c -> {
            boolean ok = COUNTRY.matcher(c).matches();
            if (!ok) {
                f.error("country", "must be an ISO 3166 alpha-2 code in capitals, e.g. DE");
            }
            return ok;
        });
        if (!map.containsKey("ssid") && map.keySet().stream().anyMatch(k -> !"country".equals(k) && KEYS.contains(k))) {
            f.error("ssid", "required: the network to join (without an ssid the port stays down)");
        }
        if (f.failed()) {
            return Optional.empty();
        }
        return Optional.of(new WifiSettings(ssid, hidden, security, psk, eap, bssid, preferred, band, country));
    }

    private static Optional<String> bssid(Fields f, String key) {
        return f.string(key).flatMap(b -> {
            if (!BSSID.matcher(b).matches()) {
                f.error(key, "must be a MAC address like 02:11:22:33:44:55");
                return Optional.empty();
            }
            return Optional.of(b.toLowerCase(Locale.ROOT));
        });
    }

    private static void checkPsk(String psk, Security security, Fields f) {
        if (HEX64.matcher(psk).matches()) {
            if (security == Security.WPA3_SAE) {
                f.error("psk", "WPA3-SAE needs the passphrase (8 to 63 characters), not a 64-digit hex key");
            }
            return;
        }
        if (psk.length() < 8 || psk.length() > 63) {
            f.error("psk", "must be a passphrase of 8 to 63 printable ASCII characters or 64 hex digits; this one has "
                    + psk.length() + " characters");
        } else if (!psk.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
            f.error("psk", "a passphrase must be printable ASCII (space to ~)");
        }
    }

    /** The value whose document name is {@code text}. */
    static <E> Optional<E> byId(E[] values, java.util.function.Function<E, String> id, String text) {
        return java.util.Arrays.stream(values).filter(v -> id.apply(v).equals(text)).findFirst();
    }

    static String quote(String s) {
        return "\"" + s + "\"";
    }

    /** What is configured, without secrets: for logs and status. */
    String describe() {
        return ssid.map(s -> "ssid " + quote(s) + ", " + security.id + eap.map(e -> " (" + e.method().id + ")")
                .orElse("") + bssid.map(b -> ", bssid " + b).orElse("")
                + preferredBssid.map(b -> ", preferring " + b).orElse("") + (band == Band.ANY ? "" : ", band " + band.id))
                .orElse("no network");
    }

    /** Reads typed fields of one object, reporting wrong types and unknown keys with pointers. */
    static final class Fields {
        private final Map<?, ?> map;
        private final String base;
        private final List<ValidationError> errors;
        private final int before;

        Fields(Map<?, ?> map, String base, List<ValidationError> errors) {
            this.map = map;
            this.base = base;
            this.errors = errors;
            this.before = errors.size();
        }

        void onlyKeys(List<String> known) {
            Set<Object> unknown = new LinkedHashSet<>(map.keySet());
            unknown.removeAll(known);
            unknown.forEach(k -> errors.add(new ValidationError(base + "/" + escape(String.valueOf(k)),
                    "unknown setting; known: " + String.join(", ", known))));
        }

        Optional<String> string(String key) {
            Object v = map.get(key);
            if (v == null) {
                return Optional.empty();
            }
            if (v instanceof String s) {
                if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 || s.indexOf('\0') >= 0) {
                    error(key, "must not contain line breaks or NUL");
                    return Optional.empty();
                }
                return Optional.of(s);
            }
            error(key, "must be a string");
            return Optional.empty();
        }

        Optional<Boolean> bool(String key) {
            Object v = map.get(key);
            if (v == null) {
                return Optional.empty();
            }
            if (v instanceof Boolean b) {
                return Optional.of(b);
            }
            error(key, "must be true or false");
            return Optional.empty();
        }

        void error(String key, String message) {
            errors.add(new ValidationError(base + "/" + escape(key), message));
        }

        boolean failed() {
            return errors.size() > before;
        }

        static String escape(String token) {
            return token.replace("~", "~0").replace("/", "~1");
        }
    }

    static List<ValidationError> errorsOf(Object value, String base) {
        List<ValidationError> errors = new ArrayList<>();
        parse(value, base, errors);
        return errors;
    }
}
