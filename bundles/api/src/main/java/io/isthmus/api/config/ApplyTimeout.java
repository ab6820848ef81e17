package io.isthmus.api.config;

import java.time.Duration;
import java.util.function.Consumer;
import org.osgi.annotation.versioning.ProviderType;
import org.osgi.framework.BundleContext;

/**
 * How long a section applier waits for its {@link ReconcileWorker} to apply a document (and to answer a preview)
 * before it gives up and the config service rolls the document back: the framework property (or system
 * property) {@value #PROPERTY}, in milliseconds, {@link #DEFAULT} when it is not set. A hung kernel tool or helper
 * daemon must not hold an apply forever; an emulated gateway (QEMU without KVM, 10–30x slower) needs more than
 * the default, which is for hardware.
 *
 * @since 1.4
 */
@ProviderType
public final class ApplyTimeout {
    /** The framework property: whole milliseconds, {@value #MIN_MS}..{@value #MAX_MS}. */
    public static final String PROPERTY = "isthmus.apply.timeoutMs";
    public static final Duration DEFAULT = Duration.ofSeconds(30);
    public static final long MIN_MS = 1_000;
    public static final long MAX_MS = 3_600_000;

    private ApplyTimeout() {
    }

    /**
     * The deadline a value of {@value #PROPERTY} gives: absent or blank is the default.
     *
     * @throws IllegalArgumentException naming the property, the value and the allowed range
     */
    public static Duration parse(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT;
        }
        long ms;
        try {
            ms = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PROPERTY + ": '" + value + "' is not a whole number of milliseconds");
        }
        if (ms < MIN_MS || ms > MAX_MS) {
            throw new IllegalArgumentException(PROPERTY + ": " + ms + " is outside " + MIN_MS + ".." + MAX_MS
                    + " ms");
        }
        return Duration.ofMillis(ms);
    }

    /**
     * The deadline the framework's property gives. A bad value changes nothing: {@code error} gets the reason and
     * the default applies, so the applier still starts (the firewall's boot table must not wait for a typo).
     */
    public static Duration of(BundleContext context, Consumer<String> error) {
        String value = context.getProperty(PROPERTY);
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            error.accept(e.getMessage() + "; using " + DEFAULT.toMillis() + " ms");
            return DEFAULT;
        }
    }
}
