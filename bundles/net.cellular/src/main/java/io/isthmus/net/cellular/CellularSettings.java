package io.isthmus.net.cellular;

import io.isthmus.api.config.ValidationError;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One port's {@code cellular} object of the document: what to ask ModemManager for, and how to recover.
 *
 * @param modem    which modem: its IMEI or ModemManager equipment identifier; empty: the first modem
 */
public record CellularSettings(String apn, Optional<String> pin, Optional<String> username, Optional<String> password,
        Auth auth, IpType ipType, boolean roaming, Optional<String> modem, Recovery recovery) {

    /** Bearer authentication, as ModemManager's {@code allowed-auth}. */
    public enum Auth {
        NONE(1), PAP(2), CHAP(4), MSCHAPV2(16), ANY(0);

        /** MMBearerAllowedAuth bits; ANY lets the modem choose (the property is left out). */
        final int bits;

        Auth(int bits) {
            this.bits = bits;
        }
    }

    /** IP family of the bearer, as ModemManager's {@code ip-type} (MMBearerIpFamily). */
    public enum IpType {
        IPV4(1), IPV6(2), IPV4V6(4);

        final int bits;

        IpType(int bits) {
            this.bits = bits;
        }
    }

    /**
     * Bounded recovery: reconnect with exponential backoff from {@code reconnectMin} to {@code reconnectMax}; a
     * modem reset after {@code resetAfterFailures} failed reconnects in a row, never twice within
     * {@code minResetInterval}.
     */
    public record Recovery(Duration reconnectMin, Duration reconnectMax, int resetAfterFailures,
            Duration minResetInterval) {
        public static final Recovery DEFAULT = new Recovery(Duration.ofSeconds(5), Duration.ofMinutes(5), 5,
                Duration.ofMinutes(30));
    }

    static final Set<String> KEYS = Set.of("apn", "pin", "username", "password", "auth", "ipType", "roaming",
            "modem", "recovery");
    static final Set<String> RECOVERY_KEYS = Set.of("reconnectMinMs", "reconnectMaxMs", "resetAfterFailures",
            "minResetIntervalS");
    /** 3GPP TS 23.003 §9.1: labels of letters, digits and '-', joined by '.'; at most 62 characters here. */
    private static final Pattern APN = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");
    private static final Pattern PIN = Pattern.compile("[0-9]{4,8}");
    private static final Pattern MODEM = Pattern.compile("[A-Za-z0-9:._-]{1,64}");

    /** The settings of a valid object (see {@link #validate}); defaults filled in. */
    public static CellularSettings of(Map<String, Object> settings) {
        Map<String, Object> recovery = map(settings.get("recovery"));
        return new CellularSettings(String.valueOf(settings.get("apn")), text(settings, "pin"),
                text(settings, "username"), text(settings, "password"),
                text(settings, "auth").map(a -> Auth.valueOf(a.toUpperCase(Locale.ROOT))).orElse(Auth.ANY),
                text(settings, "ipType").map(t -> IpType.valueOf(t.toUpperCase(Locale.ROOT))).orElse(IpType.IPV4),
                Boolean.TRUE.equals(settings.get("roaming")), text(settings, "modem"),
                new Recovery(
                        number(recovery, "reconnectMinMs").map(Duration::ofMillis)
                                .orElse(Recovery.DEFAULT.reconnectMin()),
                        number(recovery, "reconnectMaxMs").map(Duration::ofMillis)
                                .orElse(Recovery.DEFAULT.reconnectMax()),
                        number(recovery, "resetAfterFailures").map(Long::intValue)
                                .orElse(Recovery.DEFAULT.resetAfterFailures()),
                        number(recovery, "minResetIntervalS").map(Duration::ofSeconds)
                                .orElse(Recovery.DEFAULT.minResetInterval())));
    }

    /** Every problem of a port's {@code cellular} value, with absolute pointers under {@code at}. */
    public static List<ValidationError> validate(String at, Object value) {
        JsonReader in = new JsonReader();
        check(in, JsonValue.at(at, value));
        return in.errors().stream().map(e -> new ValidationError(e.pointer(), e.reason())).toList();
    }

    private static void check(JsonReader in, JsonValue settings) {
        if (!settings.isObject()) {
            in.fail(settings, "expected an object like {\"apn\": \"internet\"}");
            return;
        }
        in.object(settings, KEYS.stream().sorted().toList());
        Optional<JsonValue> apn = settings.optional("apn");
        if (apn.isEmpty()) {
            in.fail(settings, "missing \"apn\": the access point name the operator gave, e.g. \"internet\"");
        } else if (!(apn.get().plain() instanceof String a && !a.isEmpty() && a.length() <= 62
                && APN.matcher(a).matches())) {
            in.fail(apn.get(), "not a valid APN: expected 1 to 62 letters, digits, '-' and '.', not starting or ending "
                    + "with '.' or '-' (3GPP TS 23.003)");
        }
        settings.optional("pin").filter(p -> !(p.plain() instanceof String s && PIN.matcher(s).matches()))
                .ifPresent(p -> in.fail(p, "a SIM PIN is a string of 4 to 8 digits"));
        for (String key : List.of("username", "password")) {
            settings.optional(key).filter(v -> !(v.plain() instanceof String s && s.length() <= 64
                    && s.chars().noneMatch(Character::isISOControl))).ifPresent(v -> in.fail(v,
                            "expected a string of at most 64 characters without control characters"));
        }
        settings.optional("auth").ifPresent(v -> in.oneOf(v, "auth", List.of("none", "pap", "chap", "mschapv2",
                "any")));
        settings.optional("ipType").ifPresent(v -> in.oneOf(v, "ipType", List.of("ipv4", "ipv6", "ipv4v6")));
        settings.optional("roaming").ifPresent(in::bool);
        settings.optional("modem").ifPresent(v -> in.matching(v, MODEM, "the modem's IMEI or equipment identifier "
                + "(1 to 64 of A-Z a-z 0-9 : . _ -)"));
        settings.get("recovery").ifPresent(r -> recovery(in, r));
    }

    private static void recovery(JsonReader in, JsonValue r) {
        if (in.object(r, RECOVERY_KEYS.stream().sorted().toList()).isEmpty()) {
            return;
        }
        Optional<Long> min = range(in, r, "reconnectMinMs", 100, 3_600_000);
        Optional<Long> max = range(in, r, "reconnectMaxMs", 100, 86_400_000);
        range(in, r, "resetAfterFailures", 1, 1000);
        range(in, r, "minResetIntervalS", 1, 604_800);
        long effectiveMin = min.orElse(Recovery.DEFAULT.reconnectMin().toMillis());
        long effectiveMax = max.orElse(Recovery.DEFAULT.reconnectMax().toMillis());
        if (effectiveMax < effectiveMin && (min.isPresent() || max.isPresent())) {
            in.error(r.pointer() + (max.isPresent() ? "/reconnectMaxMs" : "/reconnectMinMs"),
                    "reconnectMaxMs (" + effectiveMax + ") must not be below reconnectMinMs (" + effectiveMin + ")");
        }
    }

    /** A whole number in lo..hi; 5.0 counts as 5, as JSON Schema's "integer" has it. */
    private static Optional<Long> range(JsonReader in, JsonValue r, String key, long lo, long hi) {
        return r.optional(key).flatMap(v -> v.plain() instanceof Number n && n.doubleValue() == Math.rint(
                n.doubleValue()) && n.longValue() >= lo && n.longValue() <= hi ? Optional.of(n.longValue())
                        : in.fail(v, "expected a whole number from " + lo + " to " + hi + ", got " + v.describe()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static Optional<String> text(Map<String, Object> settings, String key) {
        return settings.get(key) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    private static Optional<Long> number(Map<String, Object> settings, String key) {
        return settings.get(key) instanceof Number n ? Optional.of(n.longValue()) : Optional.empty();
    }

    /** Never the secrets: for logs and equality checks that must not leak them. */
    @Override
    public String toString() {
        return "CellularSettings[apn=" + apn + ", pin=" + pin.map(p -> "***").orElse("none") + ", username="
                + username.orElse("") + ", auth=" + auth + ", ipType=" + ipType + ", roaming=" + roaming + ", modem="
                + modem.orElse("any") + ", recovery=" + recovery + "]";
    }
}
