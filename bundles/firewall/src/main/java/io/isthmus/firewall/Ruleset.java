package io.isthmus.firewall;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@link FirewallPlan} made of {@code table inet isthmus}: a digest of its content, which rides in the
 * comment of its last rule, so a later process (or a new version of this bundle) recognises its own table in the
 * kernel and adopts it without writing; {@code rules} and {@code elements} (the elements of the conduit sets,
 * {@link ConduitSets}); the {@link ElementDigest} of every set's elements and the {@link TableSkeleton}, to check
 * listings against. {@code objects} is the table's JSON array when it was planned as text (previews, tests);
 * empty when it was streamed into nft as it was made ({@link RulesetWriter}).
 */
record Ruleset(Optional<String> objects, String digest, int rules, int elements, String elementDigest,
        String skeleton) {
    private static final Pattern MARK = Pattern.compile("\\(ruleset ([0-9a-f]{16})\\)");

    /** The digest stamped in a listed table, if it is one of ours. */
    static Optional<String> digestIn(String listing) {
        Matcher m = MARK.matcher(listing);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    Ruleset withObjects(String array) {
        return new Ruleset(Optional.of(array), digest, rules, elements, elementDigest, skeleton);
    }

    /** Only for messages. */
    @Override
    public String toString() {
        return "ruleset " + digest + " (" + rules + " rules" + (elements > 0 ? ", " + elements + " set elements" : "")
                + ")";
    }
}
