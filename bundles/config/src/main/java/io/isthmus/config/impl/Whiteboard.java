package io.isthmus.config.impl;

import io.isthmus.api.config.CommitCheck;
import io.isthmus.api.config.SectionApplier;
import io.isthmus.api.config.SectionValidator;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The capability services the config service works with, as they come and go. Safe for concurrent
 * use: services are bound and unbound on OSGi threads while an apply runs on the config executor.
 */
final class Whiteboard {
    static final int DEFAULT_ORDER = 1000;
    static final String ANY_SECTION = "*";

    /** A validator and the section it owns ({@code "*"} when it spans sections). */
    record NamedValidator(String name, String section, SectionValidator validator) {
    }

    record NamedApplier(String name, SectionApplier applier) {
    }

    /** Appliers run by order, then by service id (the older registration first). */
    private record Rank(int order, long serviceId) {
    }

    private final CopyOnWriteArrayList<NamedValidator> validators = new CopyOnWriteArrayList<>();
    private final ConcurrentSkipListMap<Rank, NamedApplier> appliers = new ConcurrentSkipListMap<>(
            Comparator.comparingInt(Rank::order).thenComparingLong(Rank::serviceId));
    private final CopyOnWriteArrayList<CommitCheck> checks = new CopyOnWriteArrayList<>();
    // Services registered without a service id (tests, plain Java use) still get a stable rank.
    private final AtomicLong unregisteredIds = new AtomicLong(Long.MAX_VALUE / 2);

    void addValidator(SectionValidator validator, Map<String, ?> properties) {
        String section = Optional.ofNullable(properties.get(SectionValidator.SECTION)).map(String::valueOf)
                .orElse(ANY_SECTION);
        validators.add(new NamedValidator(name(validator, properties), section, validator));
    }

    void removeValidator(SectionValidator validator) {
        validators.removeIf(v -> v.validator() == validator);
    }

    List<NamedValidator> validators() {
        return List.copyOf(validators);
    }

    /** Top-level sections that these validators own beyond the core ones: they become extensions. */
    static Set<String> claimedSections(List<NamedValidator> validators) {
        return validators.stream().map(NamedValidator::section).filter(s -> !s.equals(ANY_SECTION))
                .collect(Collectors.toUnmodifiableSet());
    }

    NamedApplier addApplier(SectionApplier applier, Map<String, ?> properties) {
        NamedApplier named = new NamedApplier(name(applier, properties), applier);
        appliers.put(new Rank(order(properties), serviceId(properties)), named);
        return named;
    }

    void removeApplier(SectionApplier applier) {
        appliers.values().removeIf(a -> a.applier() == applier);
    }

    /** Appliers in the order they must run. */
    List<NamedApplier> appliers() {
        return List.copyOf(appliers.values());
    }

    void addCheck(CommitCheck check) {
        checks.add(check);
    }

    void removeCheck(CommitCheck check) {
        checks.removeIf(c -> c == check);
    }

    List<CommitCheck> checks() {
        return List.copyOf(checks);
    }

    private long serviceId(Map<String, ?> properties) {
        return properties.get("service.id") instanceof Number n ? n.longValue() : unregisteredIds.incrementAndGet();
    }

    private static int order(Map<String, ?> properties) {
        Object order = properties.get(SectionApplier.ORDER);
        if (order instanceof Number n) {
            return n.intValue();
        }
        try {
            return order == null ? DEFAULT_ORDER : Integer.parseInt(order.toString().trim());
        } catch (NumberFormatException e) {
            return DEFAULT_ORDER;
        }
    }

    /** The DS component name when there is one: it is what an operator sees in the console. */
    private static String name(Object service, Map<String, ?> properties) {
        return Optional.ofNullable(properties.get("component.name")).map(String::valueOf)
                .orElse(service.getClass().getName());
    }
}
