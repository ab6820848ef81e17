package io.isthmus.net.wifi;

import io.isthmus.api.config.ValidationError;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
        JsonReader in = new JsonReader();
        Optional<WifiSettings> settings = parse(in, JsonValue.at(base, value));
        in.errors().forEach(e -> errors.add(new ValidationError(e.pointer(), e.reason())));
        return in.hasErrors() ? Optional.empty() : settings;
    }

    private static Optional<WifiSettings> parse(JsonReader in, JsonValue at) {
        if (!at.isObject()) {
            return in.fail(at, "must be an object");
        }
        onlyKeys(in, at, KEYS);
        Optional<String> ssid = text(in, at, "ssid");
        ssid.ifPresent(s -> {
            int bytes = s.getBytes(StandardCharsets.UTF_8).length;
            if (bytes < 1 || bytes > 32) {
                in.error(at.pointer() + "/ssid", "must be 1 to 32 bytes (UTF-8); this one has " + bytes);
            }
        });
        boolean hidden = at.optional("hidden").flatMap(in::bool).orElse(false);
        Optional<String> psk = text(in, at, "psk");
        Security security = at.optional("security").flatMap(v -> in.string(v).map(id -> Security.of(id)
                .orElseGet(() -> {
                    in.fail(v, "unknown security " + quote(id) + "; one of open, wpa2-psk, wpa3-sae, wpa2-eap");
                    return Security.OPEN;
                })))
                .orElse(psk.isPresent() ? Security.WPA2_PSK : at.has("eap") ? Security.WPA2_EAP
                        : Security.OPEN);
        psk.ifPresent(p -> checkPsk(p, security, in, at.pointer() + "/psk"));
        if ((security == Security.WPA2_PSK || security == Security.WPA3_SAE) && psk.isEmpty() && ssid.isPresent()) {
            in.error(at.pointer() + "/psk", "required for security " + security.id);
        }
        if (psk.isPresent() && (security == Security.OPEN || security == Security.WPA2_EAP)) {
            in.error(at.pointer() + "/psk", "not used with security " + security.id + "; remove it");
        }
        Optional<EapSettings> eap = Optional.empty();
        Optional<JsonValue> eapValue = at.get("eap"); // null too: an eap object is expected there
        if (eapValue.isPresent()) {
            if (security != Security.WPA2_EAP) {
                in.error(at.pointer() + "/eap", "only used with security wpa2-eap");
            }
            eap = EapSettings.parse(in, eapValue.get());
        } else if (security == Security.WPA2_EAP && ssid.isPresent()) {
            in.error(at.pointer() + "/eap", "required for security wpa2-eap");
        }
        Optional<String> bssid = bssid(in, at, "bssid");
        Optional<String> preferred = bssid(in, at, "preferredBssid");
        if (bssid.isPresent() && preferred.isPresent()) {
            in.error(at.pointer() + "/preferredBssid", "not used together with bssid (which pins one access point)");
        }
        Band band = at.optional("band").flatMap(v -> in.string(v).map(b -> Band.of(b).orElseGet(() -> {
            in.fail(v, "unknown band " + quote(b) + "; one of any, 2.4, 5");
            return Band.ANY;
        }))).orElse(Band.ANY);
        Optional<String> country = text(in, at, "country").filter(c -> {
            boolean ok = COUNTRY.matcher(c).matches();
            if (!ok) {
                in.error(at.pointer() + "/country", "must be an ISO 3166 alpha-2 code in capitals, e.g. DE");
            }
            return ok;
        });
        if (!at.has("ssid") && at.members().stream().anyMatch(m -> !"country".equals(m.name())
                && KEYS.contains(m.name()))) {
            in.error(at.pointer() + "/ssid", "required: the network to join (without an ssid the port stays down)");
        }
        return Optional.of(new WifiSettings(ssid, hidden, security, psk, eap, bssid, preferred, band, country));
    }

    /** Every member not among {@code known} is an error of its own: a typo is never ignored. */
    static void onlyKeys(JsonReader in, JsonValue object, List<String> known) {
        object.members().stream().filter(m -> !known.contains(m.name())).forEach(m -> in.fail(m,
                "unknown setting; known: " + String.join(", ", known)));
    }

    /**
     * An optional string member (null: not given) that goes into wpa_supplicant's configuration: a line break or NUL
     * would end the value there and start another setting.
     */
    static Optional<String> text(JsonReader in, JsonValue object, String key) {
        return object.optional(key).flatMap(v -> in.string(v).flatMap(s -> s.indexOf('\n') >= 0
                || s.indexOf('\r') >= 0 || s.indexOf('\0') >= 0 ? in.fail(v, "must not contain line breaks or NUL")
                        : Optional.of(s)));
    }

    private static Optional<String> bssid(JsonReader in, JsonValue object, String key) {
        return text(in, object, key).flatMap(b -> BSSID.matcher(b).matches() ? Optional.of(b.toLowerCase(Locale.ROOT))
                : in.fail(object.get(key).orElseThrow(), "must be a MAC address like 02:11:22:33:44:55"));
    }

    private static void checkPsk(String psk, Security security, JsonReader in, String pointer) {
        if (HEX64.matcher(psk).matches()) {
            if (security == Security.WPA3_SAE) {
                in.error(pointer, "WPA3-SAE needs the passphrase (8 to 63 characters), not a 64-digit hex key");
            }
            return;
        }
        if (psk.length() < 8 || psk.length() > 63) {
            in.error(pointer, "must be a passphrase of 8 to 63 printable ASCII characters or 64 hex digits; this one has "
                    + psk.length() + " characters");
        } else if (!psk.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
            in.error(pointer, "a passphrase must be printable ASCII (space to ~)");
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

    static List<ValidationError> errorsOf(Object value, String base) {
        List<ValidationError> errors = new ArrayList<>();
        parse(value, base, errors);
        return errors;
    }
}
