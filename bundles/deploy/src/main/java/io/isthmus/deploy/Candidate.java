package io.isthmus.deploy;

import java.nio.file.Path;
import java.util.jar.Attributes;
import org.osgi.framework.Version;

/** A verified jar: where it lies, its hash, and the manifest facts the next checks need. */
record Candidate(Path jar, String sha256, String symbolicName, Version version, Attributes manifest, boolean signed) {

    String header(String name) {
        return manifest.getValue(name);
    }
}
