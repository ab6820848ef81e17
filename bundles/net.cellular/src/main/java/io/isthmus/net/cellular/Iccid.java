package io.isthmus.net.cellular;

/** ICCIDs identify a subscription: events (which leave the gateway) carry only their last 4 digits. */
final class Iccid {
    private Iccid() {
    }

    static String mask(String iccid) {
        if (iccid.length() <= 4) {
            return "*".repeat(iccid.length());
        }
        return "*".repeat(iccid.length() - 4) + iccid.substring(iccid.length() - 4);
    }
}
