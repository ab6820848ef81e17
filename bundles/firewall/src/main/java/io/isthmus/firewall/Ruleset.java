package io.isthmus.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole {@code table inet isthmus} as nft JSON objects, with a digest of its content. The digest rides in
 * the comment of the first rule, so a later process (or a new version of this bundle) recognises its own table
 * in the kernel and adopts it without writing.
 */
record Ruleset(String objects, String digest, int rules) {
    private static final Pattern MARK = Pattern.compile("\\(ruleset ([0-9a-f]{16})\\)");

    /** Stamps the digest into the first rule's comment; the digest covers everything else. */
    static Ruleset of(ArrayNode objects) {
        String digest = sha(objects.toString());
        int rules = 0;
        for (JsonNode o : objects) {
            if (o.has("rule")) {
                if (rules == 0) {
                    ObjectNode first = (ObjectNode) o.get("rule");
                    first.put("comment", first.path("comment").asText() + " (ruleset " + digest + ")");
                }
                rules++;
            }
        }
        return new Ruleset(objects.toString(), digest, rules);
    }

    /** The digest stamped in a listed table, if it is one of ours. */
    static Optional<String> digestIn(String listing) {
        Matcher m = MARK.matcher(listing);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static String sha(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Only for messages. */
    @Override
    public String toString() {
        return "ruleset " + digest + " (" + rules + " rules)";
    }
}
