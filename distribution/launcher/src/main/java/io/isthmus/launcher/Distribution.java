package io.isthmus.launcher;

import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * The unpacked distribution of one profile:
 * {@code bin/isthmus}, {@code lib/} (launcher class path), {@code system/} (bundles, Maven layout),
 * {@code features/}, {@code etc/profile.json}, {@code etc/network.json} (the default document).
 */
record Distribution(Path home) {
    static final String HOME_PROPERTY = "isthmus.home";

    static Distribution locate() throws LaunchException {
        String home = System.getProperty(HOME_PROPERTY);
        if (home != null) {
            return new Distribution(Path.of(home).toAbsolutePath().normalize());
        }
        try {
            Path jar = Path.of(Distribution.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return new Distribution(jar.getParent().getParent());
        } catch (URISyntaxException | NullPointerException e) {
            throw new LaunchException("cannot find the distribution; set -D" + HOME_PROPERTY);
        }
    }

    Path profile() {
        return home.resolve("etc/profile.json");
    }

    Path defaultDocument() {
        return home.resolve("etc/network.json");
    }

    Path features() {
        return home.resolve("features");
    }

    Path repository() {
        return home.resolve("system");
    }
}
