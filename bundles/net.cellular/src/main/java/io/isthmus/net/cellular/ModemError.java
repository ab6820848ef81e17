package io.isthmus.net.cellular;

import java.util.Optional;

/**
 * An error ModemManager answered with (its D-Bus error name and message), and what it means for recovery:
 * a configuration error (wrong APN, wrong PIN, no SIM) is never fixed by a modem reset.
 */
final class ModemError extends Exception {
    private static final long serialVersionUID = 1L;

    /** How recovery treats an error. */
    enum Kind {
        /** Try again with backoff; counts towards a reset. */
        TRANSIENT,
        /** The document or the subscription is wrong: retried slowly, never a reset. */
        CONFIGURATION,
        /** Retrying would do harm (a wrong PIN: the SIM locks after three): not before the document changes. */
        PERMANENT
    }

    private final String name;

    ModemError(String name, String message) {
        super(message);
        this.name = name;
    }

    /** The D-Bus error name, e.g. {@code org.freedesktop.ModemManager1.Error.MobileEquipment.IncorrectPassword}. */
    String name() {
        return name;
    }

    Kind kind() {
        return classify(name).map(Classified::kind).orElse(Kind.TRANSIENT);
    }

    /** The problem to show in status, in words. */
    String problem() {
        return classify(name).map(Classified::problem).orElse("connect failed: " + shortName(name) + ": "
                + getMessage());
    }

    record Classified(Kind kind, String problem) {
    }

    /** By the last part of the error name: ModemManager has moved some between its Gprs and MobileEquipment sets. */
    static Optional<Classified> classify(String errorName) {
        return Optional.ofNullable(switch (shortName(errorName)) {
            case "IncorrectPassword" -> new Classified(Kind.PERMANENT, "SIM PIN wrong");
            case "SimPuk", "SimPuk2" -> new Classified(Kind.PERMANENT,
                    "SIM PUK required (too many wrong PINs): unlock the SIM with its PUK");
            case "SimPin" -> new Classified(Kind.CONFIGURATION, "SIM locked: it needs a PIN and the document has none");
            case "SimNotInserted", "SimWrong", "SimFailure", "SimBusy" -> new Classified(Kind.CONFIGURATION,
                    "SIM missing or not usable");
            case "MissingOrUnknownApn", "ServiceOptionNotSubscribed", "GprsMissingOrUnknownApn",
                    "GprsServiceOptionNotSubscribed" -> new Classified(Kind.CONFIGURATION, "APN rejected by network");
            case "UserAuthenticationFailed", "GprsUserAuthenticationFailed" -> new Classified(Kind.CONFIGURATION,
                    "authentication rejected by network: check username, password and auth");
            case "RoamingNotAllowed", "GprsRoamingNotAllowed" -> new Classified(Kind.CONFIGURATION,
                    "roaming not allowed: set roaming true to connect while roaming");
            default -> null;
        });
    }

    static String shortName(String errorName) {
        return errorName.substring(errorName.lastIndexOf('.') + 1);
    }
}
