package io.isthmus.launcher;

import io.isthmus.state.BundleLocation;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A bundle as a feature names it, by Maven coordinates {@code groupId:artifactId[:type[:classifier]]:version},
 * with its start order (lower starts first; 1 is the infrastructure that must run before configurations
 * are applied).
 */
record BundleRef(String group, String artifact, String version, Optional<String> classifier, int startOrder) {
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_.\\-]+");

    static BundleRef parse(String id, int startOrder) {
        String[] p = id.split(":", -1);
        if (p.length < 3 || p.length > 5) {
            throw new IllegalArgumentException("bundle id \"" + id + "\" is not groupId:artifactId:version");
        }
        for (String part : p) {
            if (!PART.matcher(part).matches()) {
                throw new IllegalArgumentException("bundle id \"" + id + "\" has an invalid part \"" + part + "\"");
            }
        }
        String version = p[p.length - 1];
        Optional<String> classifier = p.length == 5 ? Optional.of(p[3]) : Optional.empty();
        return new BundleRef(p[0], p[1], version, classifier, startOrder);
    }

    /** Where the jar lies in a Maven-layout repository (the distribution's system/ folder). */
    Path pathIn(Path repository) {
        String file = artifact + "-" + version + classifier.map(c -> "-" + c).orElse("") + ".jar";
        return repository.resolve(group.replace('.', '/')).resolve(artifact).resolve(version).resolve(file);
    }

    /** The framework location: versionless, so a new version updates the same bundle (keeping its id and data). */
    String location() {
        return new BundleLocation(group, artifact, classifier).location();
    }

    String id() {
        return group + ":" + artifact + ":" + version;
    }
}
