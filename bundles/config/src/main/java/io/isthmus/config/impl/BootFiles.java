package io.isthmus.config.impl;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The documents the launcher may point at: {@code config} given with {@code --config}, {@code defaults}
 * the device profile's default document.
 */
record BootFiles(Optional<Path> config, Optional<Path> defaults) {
    static final BootFiles NONE = new BootFiles(Optional.empty(), Optional.empty());
}
