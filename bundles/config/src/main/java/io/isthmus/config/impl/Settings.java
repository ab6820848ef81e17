package io.isthmus.config.impl;

import java.time.Duration;

/** The ConfigAdmin-tunable settings, already checked. */
record Settings(int keepGenerations, Duration testWindow) {
    static final Settings DEFAULTS = new Settings(10, Duration.ofSeconds(10));

    Settings {
        keepGenerations = Math.max(GenerationStore.MIN_KEEP, keepGenerations);
        testWindow = testWindow.isNegative() || testWindow.isZero() ? DEFAULTS.testWindow() : testWindow;
    }
}
