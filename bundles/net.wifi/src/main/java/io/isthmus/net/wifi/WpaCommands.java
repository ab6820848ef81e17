package io.isthmus.net.wifi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The wpa_supplicant network block a {@link WifiSettings} wants, as SET_NETWORK field/value pairs. Text values go
 * hex-encoded (wpa_supplicant's string syntax), so no SSID, identity or password can break out of its field; the
 * PSK passphrase is the one quoted value (hex there would mean a raw key). The block is tagged with a fingerprint
 * in {@code id_str} so a driver restarted later sees whether the running network is still what it wants, without
 * reading secrets back.
 */
final class WpaCommands {
    static final List<Integer> BAND_2_4 = List.of(2412, 2417, 2422, 2427, 2432, 2437, 2442, 2447, 2452, 2457, 2462,
            2467, 2472, 2484);
    static final List<Integer> BAND_5 = List.of(5180, 5200, 5220, 5240, 5260, 5280, 5300, 5320, 5500, 5520, 5540,
            5560, 5580, 5600, 5620, 5640, 5660, 5680, 5700, 5720, 5745, 5765, 5785, 5805, 5825);
    /** Fields whose values are secrets: never logged, never in a message. */
    static final List<String> SECRET_FIELDS = List.of("psk", "password", "private_key_passwd");

    record Field(String name, String value) {
        @Override
        public String toString() {
            return SECRET_FIELDS.contains(name) ? name + "=<hidden>" : name + "=" + value;
        }
    }

    private WpaCommands() {
    }

    /**
     * The fields for a network; {@code wired} is the lab's stand-in driver, where 802.1X runs over Ethernet
     * ({@code key_mgmt IEEE8021X}) and PSK security does not exist.
     */
    static List<Field> network(WifiSettings s, boolean wired) throws UnsupportedOperationException {
        List<Field> f = new ArrayList<>();
        f.add(new Field("ssid", hex(s.ssid().orElseThrow())));
        if (s.hidden()) {
            f.add(new Field("scan_ssid", "1"));
        }
        switch (s.security()) {
            case OPEN -> f.add(new Field("key_mgmt", "NONE"));
            case WPA2_PSK -> {
                wirelessOnly(wired, s);
                f.add(new Field("key_mgmt", "WPA-PSK"));
                f.add(new Field("proto", "RSN"));
                f.add(new Field("psk", psk(s.psk().orElseThrow())));
            }
            case WPA3_SAE -> {
                wirelessOnly(wired, s);
                f.add(new Field("key_mgmt", "SAE"));
                f.add(new Field("proto", "RSN"));
                f.add(new Field("ieee80211w", "2"));
                f.add(new Field("psk", psk(s.psk().orElseThrow())));
            }
            case WPA2_EAP -> {
                if (wired) {
                    f.add(new Field("key_mgmt", "IEEE8021X"));
                    f.add(new Field("eapol_flags", "0"));
                } else {
                    f.add(new Field("key_mgmt", "WPA-EAP"));
                    f.add(new Field("proto", "RSN"));
                }
                eap(s.eap().orElseThrow(), f);
            }
        }
        s.bssid().ifPresent(b -> f.add(new Field("bssid", b)));
        s.preferredBssid().ifPresent(b -> f.add(new Field("bssid_hint", b)));
        switch (s.band()) {
            case GHZ_2_4 -> f.add(new Field("freq_list", join(BAND_2_4)));
            case GHZ_5 -> f.add(new Field("freq_list", join(BAND_5)));
            case ANY -> {
            }
        }
        return f;
    }

    private static void eap(EapSettings e, List<Field> f) {
        f.add(new Field("eap", e.method().wpa));
        e.identity().ifPresent(v -> f.add(new Field("identity", hex(v))));
        e.anonymousIdentity().ifPresent(v -> f.add(new Field("anonymous_identity", hex(v))));
        e.password().ifPresent(v -> f.add(new Field("password", hex(v))));
        e.phase2().ifPresent(v -> f.add(new Field("phase2", hex("auth=" + v.toUpperCase(java.util.Locale.ROOT)))));
        e.caCert().ifPresent(v -> f.add(new Field("ca_cert", hex(v))));
        e.clientCert().ifPresent(v -> f.add(new Field("client_cert", hex(v))));
        e.privateKey().ifPresent(v -> f.add(new Field("private_key", hex(v))));
        e.privateKeyPassword().ifPresent(v -> f.add(new Field("private_key_passwd", hex(v))));
    }

    private static void wirelessOnly(boolean wired, WifiSettings s) {
        if (wired) {
            throw new UnsupportedOperationException("security " + s.security().id
                    + " needs a radio; the wired driver (lab) supports open and wpa2-eap only");
        }
    }

    /** A 64-digit key goes raw, a passphrase quoted (printable ASCII without line breaks, checked before). */
    private static String psk(String psk) {
        return psk.matches("[0-9A-Fa-f]{64}") ? psk.toLowerCase(java.util.Locale.ROOT) : "\"" + psk + "\"";
    }

    static String hex(String text) {
        return HexFormat.of().formatHex(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String join(List<Integer> freqs) {
        return String.join(" ", freqs.stream().map(String::valueOf).toList());
    }

    /** A digest of the fields (secrets included) and a per-gateway salt, for {@code id_str}: 24 hex digits. */
    static String fingerprint(List<Field> fields, String salt) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt.getBytes(StandardCharsets.UTF_8));
            for (Field f : fields) {
                sha.update((f.name() + "=" + f.value() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return "isthmus-" + HexFormat.of().formatHex(sha.digest()).substring(0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code SET_NETWORK id name value}. */
    static String set(int id, Field f) {
        return "SET_NETWORK " + id + " " + f.name() + " " + f.value();
    }

    /** The command without its secret part, for messages: verb, and for SET_NETWORK the id and field. */
    static String verb(String command) {
        String[] words = command.split(" ", 4);
        if (words[0].equals("SET_NETWORK") && words.length >= 3) {
            return words[0] + " " + words[1] + " " + words[2];
        }
        return words[0];
    }

    /** wpa_supplicant's network list: ids from LIST_NETWORKS (header line, then id \t ssid \t bssid \t flags). */
    static List<Integer> networkIds(String listReply) {
        List<Integer> ids = new ArrayList<>();
        String[] lines = listReply.split("\n");
        for (int i = 1; i < lines.length; i++) {
            Optional<Integer> id = WpaReplies.integer(lines[i].split("\t", 2)[0]);
            id.ifPresent(ids::add);
        }
        return ids;
    }
}
