package io.isthmus.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * An order-free digest of the elements of a table's sets, so that a listing's elements can be compared with the
 * plan's without a listing taken after the write (a full listing of 10,000 elements costs more than the write).
 * nft lists elements in its own order and form ({@code 100-100} as {@code 100}, sorted or hashed), so each element
 * is brought to one form first: every part of its value as the first and last number it stands for (an IPv4
 * address, prefix or range; a port or port range), a name as itself; with its set's name and its comment. The
 * digest is the count and the sum of a 64-bit hash of each.
 */
final class ElementDigest {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private long count;
    private long sum;

    void add(String set, CharSequence value, String comment) {
        long h = 0xcbf29ce484222325L; // FNV-1a, then a final mix: the sum needs well-spread hashes
        h = fnv(h, set);
        h = fnv(h, "\t");
        h = fnv(h, value);
        h = fnv(h, "\t");
        h = fnv(h, comment);
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        sum += h;
        count++;
    }

    private static long fnv(long h, CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * 0x100000001b3L;
        }
        return h;
    }

    String value() {
        return count + ":" + HexFormat.of().toHexDigits(sum);
    }

    /** A first and last number as every element part is compared. */
    static StringBuilder range(StringBuilder out, long lo, long hi) {
        return out.append(lo).append('-').append(hi);
    }

    /** An element's value as nft lists it ({@code val}), in the one form. */
    static StringBuilder canonical(StringBuilder out, JsonNode val) {
        if (val.has("concat")) {
            int i = 0;
            for (JsonNode part : val.path("concat")) {
                if (i++ > 0) {
                    out.append(" . ");
                }
                canonical(out, part);
            }
        } else if (val.has("prefix")) {
            long[] a = ConduitSets.addresses(val.path("prefix").path("addr").asText() + "/"
                    + val.path("prefix").path("len").asInt());
            range(out, a[0], a[1]);
        } else if (val.has("range")) {
            range(out, bounds(val.path("range").path(0))[0], bounds(val.path("range").path(1))[1]);
        } else if (val.isNumber()) {
            range(out, val.asLong(), val.asLong());
        } else {
            String text = val.asText();
            if (IPV4.matcher(text).matches()) {
                long[] a = ConduitSets.addresses(text);
                range(out, a[0], a[1]);
            } else {
                out.append(text);
            }
        }
        return out;
    }

    private static long[] bounds(JsonNode v) {
        if (v.isNumber()) {
            return new long[] {v.asLong(), v.asLong()};
        }
        return ConduitSets.addresses(v.asText());
    }
}
