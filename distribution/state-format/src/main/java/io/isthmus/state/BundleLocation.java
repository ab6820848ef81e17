package io.isthmus.state;

import java.util.Optional;

/**
 * The framework location of a bundle the launcher installs from the distribution:
 * {@code isthmus:<groupId>:<artifactId>[:<classifier>]}. Versionless, so a new distribution version updates the
 * same bundle (same id, same data area). The launcher owns every location with this prefix and never touches
 * another one; the deploy bundle installs a new bundle under {@code field:<symbolic name>}.
 */
public record BundleLocation(String group, String artifact, Optional<String> classifier) {
    public static final String DISTRIBUTION_PREFIX = "isthmus:";
    public static final String FIELD_PREFIX = "field:";

    public BundleLocation {
        if (group.isEmpty() || artifact.isEmpty() || group.contains(":") || artifact.contains(":")
                || classifier.filter(c -> c.isEmpty() || c.contains(":")).isPresent()) {
            throw new IllegalArgumentException("bundle location parts must be non-empty and without ':': " + group
                    + ", " + artifact + ", " + classifier.orElse("(no classifier)"));
        }
    }

    /** The location string the framework keeps. */
    public String location() {
        return DISTRIBUTION_PREFIX + group + ":" + artifact + classifier.map(c -> ":" + c).orElse("");
    }

    /** The parts of a distribution location; empty for any other location (e.g. {@code field:...}). */
    public static Optional<BundleLocation> parse(String location) {
        if (!isDistribution(location)) {
            return Optional.empty();
        }
        String[] p = location.substring(DISTRIBUTION_PREFIX.length()).split(":", -1);
        if (p.length < 2 || p.length > 3 || p[0].isEmpty() || p[1].isEmpty() || (p.length == 3 && p[2].isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(new BundleLocation(p[0], p[1], p.length == 3 ? Optional.of(p[2]) : Optional.empty()));
    }

    /** Whether the launcher owns {@code location} (installs, updates and uninstalls it with the distribution). */
    public static boolean isDistribution(String location) {
        return location.startsWith(DISTRIBUTION_PREFIX);
    }

    /** Whether {@code location} is a bundle installed in the field (not in the distribution). */
    public static boolean isField(String location) {
        return location.startsWith(FIELD_PREFIX);
    }

    /** The location of a bundle installed in the field. */
    public static String field(String symbolicName) {
        return FIELD_PREFIX + symbolicName;
    }
}
