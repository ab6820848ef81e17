package io.isthmus.firewall;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole {@code table inet isthmus} as nft JSON objects, with a digest of its content. The digest rides in
 * the comment of the first rule, so a later process (or a new version of this bundle) recognises its own table
 * in the kernel and adopts it without writing. Written by {@link RulesetWriter}; {@code elements} counts the
 * elements of the conduit sets ({@link ConduitSets});
 * {@code elementDigest} is the {@link ElementDigest} of every set's elements, to check a listing against.
 */
record Ruleset(String objects, String digest, int rules, int elements, String elementDigest) {
    private static final Pattern MARK = Pattern.compile("\\(ruleset ([0-9a-f]{16})\\)");

    /** The digest stamped in a listed table, if it is one of ours. */
    static Optional<String> digestIn(String listing) {
        Matcher m = MARK.matcher(listing);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Only for messages. */
    @Override
    public String toString() {
        return "ruleset " + digest + " (" + rules + " rules" + (elements > 0 ? ", " + elements + " set elements" : "")
                + ")";
    }
}
