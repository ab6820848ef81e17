package io.isthmus.net.wifi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for wpa_supplicant control-interface replies and events (as wpa_supplicant 2.10 writes them). */
final class WpaReplies {
    private static final Pattern EVENT = Pattern.compile("<(\\d)>(\\S+)\\s?(.*)", Pattern.DOTALL);
    private static final Pattern REASON = Pattern.compile("\\breason=(\\S+)");

    private WpaReplies() {
    }

    /** STATUS, SIGNAL_POLL and GET-style replies: {@code key=value} lines. */
    static Map<String, String> keyValues(String reply) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : reply.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                map.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return map;
    }

    /** What STATUS says, in the terms status reports (never a secret: STATUS has none). */
    record Status(String wpaState, Optional<String> ssid, Optional<String> bssid, Optional<Integer> frequencyMhz,
            Optional<String> keyManagement, Optional<String> eapState, Optional<String> portStatus,
            Optional<String> eapMethod, Optional<String> idStr) {

        static Status parse(String reply) {
            Map<String, String> kv = keyValues(reply);
            return new Status(kv.getOrDefault("wpa_state", "UNKNOWN"),
                    Optional.ofNullable(kv.get("ssid")).filter(s -> !s.isEmpty()).map(WpaReplies::unescape),
                    Optional.ofNullable(kv.get("bssid")), integer(kv.get("freq")).filter(f -> f > 0),
                    Optional.ofNullable(kv.get("key_mgmt")), Optional.ofNullable(kv.get("EAP state")),
                    Optional.ofNullable(kv.get("suppPortStatus")),
                    Optional.ofNullable(kv.get("selectedMethod")).map(m -> m.replaceFirst("^\\d+ \\((?:EAP-)?(.*)\\)$", "$1")),
                    Optional.ofNullable(kv.get("id_str")));
        }

        boolean completed() {
            return "COMPLETED".equals(wpaState);
        }

        /** 802.1X failed: EAP ended in FAILURE (wrong credentials, rejected certificate). */
        boolean eapFailed() {
            return eapState.map("FAILURE"::equals).orElse(false);
        }

        /** Associated, and where 802.1X runs, authorized: the port may carry traffic. */
        boolean connected() {
            return completed() && portStatus.map("Authorized"::equals).orElse(true);
        }
    }

    /** SIGNAL_POLL: RSSI in dBm, link speed in Mbit/s; FAIL (wired driver) gives none. */
    record Signal(Optional<Integer> rssiDbm, Optional<Integer> linkSpeedMbps, Optional<Integer> frequencyMhz) {
        static final Signal NONE = new Signal(Optional.empty(), Optional.empty(), Optional.empty());

        static Signal parse(String reply) {
            if (reply.startsWith("FAIL")) {
                return NONE;
            }
            Map<String, String> kv = keyValues(reply);
            return new Signal(integer(kv.get("RSSI")), integer(kv.get("LINKSPEED")), integer(kv.get("FREQUENCY")));
        }
    }

    /** One line of SCAN_RESULTS. */
    record ScanResult(String bssid, int frequencyMhz, int signalDbm, String flags, String ssid) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ssid", ssid);
            m.put("bssid", bssid);
            m.put("frequencyMhz", frequencyMhz);
            WifiSettings.Band.ofFrequency(frequencyMhz).ifPresent(b -> m.put("band", b));
            m.put("signalDbm", signalDbm);
            m.put("flags", flags);
            return m;
        }
    }

    /** SCAN_RESULTS: a header line, then {@code bssid \t freq \t signal \t flags \t ssid} per BSS. */
    static List<ScanResult> scanResults(String reply) {
        List<ScanResult> results = new ArrayList<>();
        String[] lines = reply.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split("\t", 5);
            if (f.length < 4) {
                continue;
            }
            Optional<Integer> freq = integer(f[1]);
            Optional<Integer> signal = integer(f[2]);
            if (freq.isEmpty() || signal.isEmpty()) {
                continue;
            }
            results.add(new ScanResult(f[0], freq.get(), signal.get(), f[3], f.length > 4 ? unescape(f[4]) : ""));
        }
        return results;
    }

    /** An unsolicited message: {@code <level>NAME text}. */
    record Event(int level, String name, String text) {
        /** The {@code reason=} of DISCONNECTED / SSID-TEMP-DISABLED events. */
        Optional<String> reason() {
            Matcher m = REASON.matcher(text);
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        }
    }

    static boolean isEvent(String message) {
        return message.length() > 3 && message.charAt(0) == '<' && message.charAt(2) == '>';
    }

    static Optional<Event> event(String message) {
        Matcher m = EVENT.matcher(message.strip());
        return m.matches() ? Optional.of(new Event(Integer.parseInt(m.group(1)), m.group(2), m.group(3)))
                : Optional.empty();
    }

    /** Undoes wpa_supplicant's printf-style escaping of SSIDs ({@code \xNN}, {@code \\}, {@code \"}, \n, \r, \t, \e). */
    static String unescape(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 >= text.length()) {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            char n = text.charAt(++i);
            switch (n) {
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'e' -> out.write(0x1b);
                case 'x' -> {
                    if (isHex(text, i + 1)) {
                        out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                        i += 2;
                    } else {
                        out.write('x');
                    }
                }
                default -> out.writeBytes(String.valueOf(n).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean isHex(String s, int at) {
        return at + 2 <= s.length() && s.substring(at, at + 2).matches("[0-9A-Fa-f]{2}");
    }

    static Optional<Integer> integer(String s) {
        if (s == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Integer.parseInt(s.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
