package io.isthmus.net.cellular;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What ModemManager says about one modem (its {@code Modem} and {@code Modem3gpp} properties), as plain values.
 *
 * @param state         MMModemState, e.g. {@link #REGISTERED}
 * @param failedReason  MMModemStateFailedReason while {@link #FAILED}
 * @param unlockRequired MMModemLock
 * @param registration  MMModem3gppRegistrationState; -1 without the 3GPP interface
 * @param accessTech    MMModemAccessTechnology bits
 */
record ModemView(String path, int state, int failedReason, int unlockRequired, String equipmentId,
        Optional<String> imei, Optional<String> sim, List<String> bearers, int registration,
        Optional<String> operatorCode, Optional<String> operatorName, long accessTech, int signalQuality,
        String manufacturer, String model) {

    static final String MODEM = "org.freedesktop.ModemManager1.Modem";
    static final String MODEM_3GPP = "org.freedesktop.ModemManager1.Modem.Modem3gpp";

    static final int FAILED = -1;
    static final int LOCKED = 2;
    static final int DISABLED = 3;
    static final int ENABLED = 6;
    static final int REGISTERED = 8;
    static final int CONNECTED = 11;

    static final int LOCK_NONE = 1;
    static final int LOCK_SIM_PIN = 2;
    static final int LOCK_SIM_PUK = 4;

    static final int FAILED_SIM_MISSING = 2;
    static final int FAILED_SIM_ERROR = 3;

    private static final List<String> STATES = List.of("failed", "unknown", "initializing", "locked", "disabled",
            "disabling", "enabling", "enabled", "searching", "registered", "disconnecting", "connecting",
            "connected");
    private static final List<String> FAILED_REASONS = List.of("none", "unknown", "sim-missing", "sim-error",
            "unknown-capabilities", "esim-without-profiles");
    private static final List<String> LOCKS = List.of("unknown", "none", "sim-pin", "sim-pin2", "sim-puk",
            "sim-puk2");
    private static final List<String> REGISTRATIONS = List.of("idle", "home", "searching", "denied", "unknown",
            "roaming", "home-sms-only", "roaming-sms-only", "emergency-only", "home-csfb-not-preferred",
            "roaming-csfb-not-preferred", "attached-rlos");
    /** MMModemAccessTechnology, bit by bit from bit 0. */
    private static final List<String> ACCESS_TECH = List.of("pots", "gsm", "gsm-compact", "gprs", "edge", "umts",
            "hsdpa", "hsupa", "hspa", "hspa-plus", "1xrtt", "evdo0", "evdoa", "evdob", "lte", "5gnr", "lte-cat-m",
            "lte-nb-iot");

    /** A modem object of ModemManager's object manager: its interfaces with their properties. */
    static Optional<ModemView> of(String path, Map<String, Map<String, Object>> interfaces) {
        Map<String, Object> m = interfaces.get(MODEM);
        if (m == null) {
            return Optional.empty(); // not a modem (SIM and bearer objects are not listed by real ModemManager)
        }
        Map<String, Object> g = interfaces.getOrDefault(MODEM_3GPP, Map.of());
        int quality = m.get("SignalQuality") instanceof List<?> q && !q.isEmpty() ? integer(q.get(0), 0) : 0;
        List<String> bearers = new ArrayList<>();
        if (m.get("Bearers") instanceof List<?> list) {
            list.forEach(b -> bearers.add(String.valueOf(b)));
        }
        return Optional.of(new ModemView(path, integer(m.get("State"), 0), integer(m.get("StateFailedReason"), 0),
                integer(m.get("UnlockRequired"), 0), text(m.get("EquipmentIdentifier")).orElse(""),
                text(g.get("Imei")), text(m.get("Sim")).filter(s -> !s.equals("/")), bearers,
                interfaces.containsKey(MODEM_3GPP) ? integer(g.get("RegistrationState"), 4) : -1,
                text(g.get("OperatorCode")), text(g.get("OperatorName")), longValue(m.get("AccessTechnologies")),
                quality, text(m.get("Manufacturer")).orElse(""), text(m.get("Model")).orElse("")));
    }

    boolean registered() {
        return registration == 1 || registration == 5 || registration == 6 || registration == 7
                || registration == 9 || registration == 10 || state >= REGISTERED;
    }

    /** This modem is the one a selector (IMEI or equipment identifier) names. */
    boolean matches(String selector) {
        return selector.equals(equipmentId) || imei.map(selector::equals).orElse(false);
    }

    String stateName() {
        return name(STATES, state + 1);
    }

    String failedReasonName() {
        return name(FAILED_REASONS, failedReason);
    }

    String lockName() {
        return name(LOCKS, unlockRequired);
    }

    String registrationName() {
        return registration < 0 ? "none" : name(REGISTRATIONS, registration);
    }

    List<String> accessTechNames() {
        List<String> names = new ArrayList<>();
        for (int bit = 0; bit < ACCESS_TECH.size(); bit++) {
            if ((accessTech & (1L << bit)) != 0) {
                names.add(ACCESS_TECH.get(bit));
            }
        }
        return names;
    }

    private static String name(List<String> names, int index) {
        return index >= 0 && index < names.size() ? names.get(index) : "unknown(" + index + ")";
    }

    static int integer(Object value, int otherwise) {
        return value instanceof Number n ? n.intValue() : otherwise;
    }

    static long longValue(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }

    static Optional<String> text(Object value) {
        return value instanceof String s && !s.isEmpty() ? Optional.of(s) : Optional.empty();
    }
}
