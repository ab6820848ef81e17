package io.isthmus.config.impl;

import io.isthmus.api.config.Addresses;
import io.isthmus.api.config.DnsConfig;
import io.isthmus.api.config.KnownPorts;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.PortKindReader;
import io.isthmus.api.config.RouteConfig;
import io.isthmus.api.config.SectionContext;
import io.isthmus.api.config.ValidationError;
import io.isthmus.api.json.JsonInputException;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.json.StrictJson;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.config.impl.Whiteboard.NamedReader;
import io.isthmus.config.impl.Whiteboard.ReaderSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Network document JSON text to {@link NetworkDocument}: the core sections (ports, routes, DNS) here, every other
 * section by the {@link io.isthmus.api.config.SectionReader} of the capability that owns it. It walks the whole
 * tree and collects every error, so an operator fixes a document in one round trip, not one per error.
 */
final class DocumentParser {
    /** The sections of the document format, in its order: the schema's (docs/reference/network-document.schema.json). */
    static final List<String> SECTIONS = List.of("ports", "routes", "uplink", "firewall", "multicast", "dns",
            "management");
    /** The sections every port shares, read here; every other section is read by the capability that owns it. */
    static final List<String> CORE = List.of("ports", "routes", "dns");

    private final DeviceProfile profile;
    private final List<NamedReader> readers;
    private final Map<String, PortKindReader> kindReaders;

    /**
     * @param readers the section readers and the drivers' port settings readers registered at this moment, one
     *                snapshot for the whole document
     */
    DocumentParser(DeviceProfile profile, ReaderSet readers) {
        this.profile = profile;
        this.readers = readers.readers();
        this.kindReaders = readers.kinds();
    }

    /**
     * @param claimedSections top-level keys owned by registered validators: kept as extensions unless a reader
     *                        owns them
     */
    Validated parse(String json, Set<String> claimedSections) {
        JsonValue root;
        try {
            root = JsonValue.root(StrictJson.read(json == null ? "" : json));
        } catch (JsonInputException e) {
            return new Validated(Optional.empty(), List.of(new ValidationError("", syntaxMessage(e))));
        }
        JsonReader in = new JsonReader();
        Optional<NetworkDocument> document = in.object(root).flatMap(r -> document(in, r,
                claimedSections));
        return new Validated(in.hasErrors() ? Optional.empty() : document, in.errors().stream()
                .map(e -> new ValidationError(e.pointer(), e.reason())).toList());
    }

    private Optional<NetworkDocument> document(JsonReader in, JsonValue root, Set<String> claimedSections) {
        ReadOrder order = new ReadOrder(readers);
        Map<String, Object> extensions = new LinkedHashMap<>();
        List<String> known = new ArrayList<>(CORE);
        known.addAll(order.sections());
        known.sort(Comparator.comparingInt(DocumentParser::rank));
        List<String> extra = claimedSections.stream().filter(c -> !known.contains(c)).sorted().toList();
        for (JsonValue section : root.members()) {
            String name = section.name();
            if (known.contains(name)) {
                continue;
            }
            if (!claimedSections.contains(name)) {
                in.error(section.pointer(), "unknown section " + JsonValue.quote(name) + "; expected one of "
                        + String.join(", ", known) + (extra.isEmpty() ? ""
                                : " or a section of an installed capability (" + String.join(", ", extra) + ")"));
            } else if (section.isNull()) {
                in.error(section.pointer(), "section " + JsonValue.quote(name) + " is null; expected a value, or leave "
                        + "the section out");
            } else {
                extensions.put(name, section.plain());
            }
        }
        KnownPorts ports = new PortsSection(in, profile, kindReaders).read(root.get("ports"));
        List<RouteConfig> routes = new RoutesSection(in, ports).read(root.get("routes"));
        DnsConfig dns = root.get("dns").flatMap(s -> in.object(s, List.of("servers")))
                .map(s -> new DnsConfig(in.optionalList(s, "servers",
                        a -> Addresses.address(in, a).map(Ipv4Address::toString))))
                .orElse(DnsConfig.empty());
        Map<String, Object> sections = new LinkedHashMap<>();
        for (String name : order.sections()) {
            Optional<String> why = order.unreadable(name);
            if (why.isPresent()) {
                root.get(name).ifPresent(s -> in.error(s.pointer(), "section " + JsonValue.quote(name)
                        + " cannot be read: " + why.get()));
            }
        }
        for (NamedReader reader : order.ordered()) {
            read(in, root, ports, reader, sections);
        }
        Map<String, Object> inFormatOrder = new LinkedHashMap<>();
        order.sections().stream().filter(sections::containsKey).forEach(s -> inFormatOrder.put(s, sections.get(s)));
        return Optional.of(new NetworkDocument(ports.configs(), routes, dns, inFormatOrder, extensions));
    }

    /** One reader; one that breaks must not break reading: its failure becomes an error at its section. */
    private static void read(JsonReader in, JsonValue root, KnownPorts ports, NamedReader reader,
            Map<String, Object> sections) {
        Optional<JsonValue> section = root.get(reader.section());
        String pointer = section.map(JsonValue::pointer).orElse("");
        Map<String, Object> before = Map.copyOf(sections);
        SectionContext context = new SectionContext() {
            @Override
            public JsonReader in() {
                return in;
            }

            @Override
            public KnownPorts ports() {
                return ports;
            }

            @Override
            public <T> Optional<T> section(String name, Class<T> type) {
                Object value = reader.after().contains(name) ? before.get(name) : null;
                return type.isInstance(value) ? Optional.of(type.cast(value)) : Optional.empty();
            }
        };
        try {
            Object value = reader.reader().read(section, context);
            if (value == null) {
                in.error(pointer, "reader " + reader.name() + " of section " + JsonValue.quote(reader.section())
                        + " gave no value");
            } else {
                sections.put(reader.section(), value);
            }
        } catch (RuntimeException | LinkageError e) {
            in.error(pointer, "reader " + reader.name() + " of section " + JsonValue.quote(reader.section())
                    + " failed: " + Failures.describe(e));
        }
    }

    /** A section's place in the document format's order; sections it does not name come after, by name. */
    static int rank(String section) {
        int known = SECTIONS.indexOf(section);
        return known < 0 ? Integer.MAX_VALUE : known;
    }

    /** Pointer "" (the text as a whole, docs/configuration.md); a duplicate or too-deep value is named in the text. */
    private static String syntaxMessage(JsonInputException e) {
        return switch (e.kind()) {
            case EMPTY -> "the document is empty; expected a JSON object";
            case DUPLICATE_KEY, TOO_DEEP -> e.getMessage() + " (at " + e.pointer() + ")";
            default -> e.getMessage();
        };
    }
}
