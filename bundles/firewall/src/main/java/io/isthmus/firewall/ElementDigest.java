package io.isthmus.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * An order-free digest of the elements of a table's sets, so that a listing's elements can be compared with the
 * plan's without a listing taken after the write (a full listing of 10,000 elements costs more than the write).
 * nft lists elements in its own order and form ({@code 100-100} as {@code 100}, sorted or hashed), so each element
 * is hashed in one form: every part of its value as the first and last number it stands for (an IPv4 address,
 * prefix or range; a port or port range), a name as itself; with its set's name and its comment. The digest is
 * the count and the sum of the elements' 64-bit hashes.
 */
final class ElementDigest {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** The hash of a value before its first part. */
    static final long EMPTY = 0x9e3779b97f4a7c15L;
    private long count;
    private long sum;

    /**
     * @param set     {@link #text} of the set's name
     * @param value   the value's parts folded with {@link #part}, from {@link #EMPTY}
     * @param comment {@link #text} of the element's comment ("" when none)
     */
    void add(long set, long value, long comment) {
        sum += mix(mix(set ^ value) + comment);
        count++;
    }

    /** A value with one more part, the numbers from {@code lo} to {@code hi}. */
    static long part(long value, long lo, long hi) {
        return mix(mix(value ^ lo) + hi);
    }

    /** A value with one more part, a name. */
    static long part(long value, String name) {
        return mix(value ^ text(name)) ^ 0x5555555555555555L;
    }

    /** FNV-1a of a text, mixed. */
    static long text(CharSequence s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * 0x100000001b3L;
        }
        return mix(h);
    }

    /** MurmurHash3's finaliser: the sum needs well-spread hashes. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ h >>> 33;
    }

    String value() {
        return count + ":" + HexFormat.of().toHexDigits(sum);
    }

    /** An element's value as nft lists it ({@code val}), folded into {@code value}. */
    static long canonical(long value, JsonNode val) {
        if (val.has("concat")) {
            for (JsonNode part : val.path("concat")) {
                value = canonical(value, part);
            }
            return value;
        }
        if (val.has("prefix")) {
            long[] a = ConduitSets.addresses(val.path("prefix").path("addr").asText() + "/"
                    + val.path("prefix").path("len").asInt());
            return part(value, a[0], a[1]);
        }
        if (val.has("range")) {
            return part(value, bounds(val.path("range").path(0))[0], bounds(val.path("range").path(1))[1]);
        }
        if (val.isNumber()) {
            return part(value, val.asLong(), val.asLong());
        }
        String text = val.asText();
        if (IPV4.matcher(text).matches()) {
            long[] a = ConduitSets.addresses(text);
            return part(value, a[0], a[1]);
        }
        return part(value, text);
    }

    private static long[] bounds(JsonNode v) {
        if (v.isNumber()) {
            return new long[] {v.asLong(), v.asLong()};
        }
        return ConduitSets.addresses(v.asText());
    }
}
