package io.isthmus.config.impl;

import io.isthmus.api.config.ApplyException;
import io.isthmus.api.config.CommitCheck;
import io.isthmus.api.config.PortKindReader;
import io.isthmus.api.config.SectionApplier;
import io.isthmus.api.config.SectionReader;
import io.isthmus.api.config.SectionValidator;
import io.isthmus.api.net.PortKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The capability services the config service works with, as they come and go. Safe for concurrent
 * use: services are bound and unbound on OSGi threads while an apply runs on the config executor.
 */
final class Whiteboard {
    static final String ANY_SECTION = "*";

    /** A validator and the section it owns ({@code "*"} when it spans sections). */
    record NamedValidator(String name, String section, SectionValidator validator) {
    }

    record NamedApplier(String name, SectionApplier applier) {
    }

    /** A reader, the section it owns and the sections it reads after. */
    record NamedReader(String name, String section, Set<String> after, SectionReader<?> reader) {
    }

    /**
     * The readers registered at one moment; {@code version} changes whenever one comes or goes.
     *
     * @param kinds the drivers' port kind readers by kind: the installed kinds
     */
    record ReaderSet(long version, List<NamedReader> readers, Map<String, PortKindReader> kinds) {
        ReaderSet {
            readers = List.copyOf(readers);
            kinds = Collections.unmodifiableMap(new LinkedHashMap<>(kinds));
        }
    }

    private final CopyOnWriteArrayList<NamedValidator> validators = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<ApplyOrder.Entry<NamedApplier>> appliers = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<CommitCheck> checks = new CopyOnWriteArrayList<>();
    private final List<NamedReader> readers = new ArrayList<>();
    private final Map<String, List<PortKindReader>> kindReaders = new LinkedHashMap<>();
    private long readerVersion;
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

    /** A reader without {@value SectionReader#SECTION} owns nothing and is left out. */
    synchronized boolean addReader(SectionReader<?> reader, Map<String, ?> properties) {
        Optional<String> section = Optional.ofNullable(properties.get(SectionReader.SECTION)).map(String::valueOf)
                .filter(s -> !s.isBlank() && !s.equals(ANY_SECTION));
        section.ifPresent(s -> {
            readers.add(new NamedReader(name(reader, properties), s, names(properties.get(SectionReader.AFTER)),
                    reader));
            readerVersion++;
        });
        return section.isPresent();
    }

    synchronized void removeReader(SectionReader<?> reader) {
        if (readers.removeIf(r -> r.reader() == reader)) {
            readerVersion++;
        }
    }

    synchronized ReaderSet readers() {
        Map<String, PortKindReader> kinds = new LinkedHashMap<>();
        kindReaders.forEach((kind, list) -> kinds.put(kind, list.get(0)));
        return new ReaderSet(readerVersion, readers, kinds);
    }

    /** A kind reader without a well-formed {@value PortKindReader#KIND} declares no kind and is left out. */
    synchronized boolean addKindReader(PortKindReader reader, Map<String, ?> properties) {
        Optional<String> kind = Optional.ofNullable(properties.get(PortKindReader.KIND)).map(String::valueOf)
                .filter(k -> PortKind.of(k).isPresent());
        kind.ifPresent(k -> {
            kindReaders.computeIfAbsent(k, x -> new ArrayList<>()).add(reader);
            readerVersion++;
        });
        return kind.isPresent();
    }

    synchronized void removeKindReader(PortKindReader reader) {
        boolean removed = false;
        for (List<PortKindReader> list : kindReaders.values()) {
            removed |= list.remove(reader);
        }
        kindReaders.values().removeIf(List::isEmpty);
        if (removed) {
            readerVersion++;
        }
    }

    synchronized long readerVersion() {
        return readerVersion;
    }

    NamedApplier addApplier(SectionApplier applier, Map<String, ?> properties) {
        String name = name(applier, properties);
        NamedApplier named = new NamedApplier(name, applier);
        String orderName = Optional.ofNullable(properties.get(SectionApplier.NAME)).map(String::valueOf)
                .orElse(name);
        appliers.add(new ApplyOrder.Entry<>(orderName, names(properties.get(SectionApplier.AFTER)),
                names(properties.get(SectionApplier.BEFORE)), serviceId(properties), named));
        return named;
    }

    void removeApplier(SectionApplier applier) {
        appliers.removeIf(a -> a.value().applier() == applier);
    }

    /** Appliers in the order they must run; an exception naming the cycle when their constraints have one. */
    List<NamedApplier> appliers() throws ApplyException {
        return ApplyOrder.sort(List.copyOf(appliers));
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

    /** A String or String[] (or any collection) service property as a set of names. */
    private static Set<String> names(Object property) {
        if (property instanceof String[] a) {
            return Set.copyOf(Arrays.asList(a));
        }
        if (property instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).collect(Collectors.toUnmodifiableSet());
        }
        return property == null ? Set.of() : Set.of(String.valueOf(property));
    }

    /** The DS component name when there is one: it is what an operator sees in the console. */
    private static String name(Object service, Map<String, ?> properties) {
        return Optional.ofNullable(properties.get("component.name")).map(String::valueOf)
                .orElse(service.getClass().getName());
    }
}
