package io.isthmus.config.impl;

import io.isthmus.api.config.DnsConfig;
import io.isthmus.api.config.FirewallConfig;
import io.isthmus.api.config.ManagementConfig;
import io.isthmus.api.config.MulticastConfig;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.RouteConfig;
import io.isthmus.api.config.UplinkConfig;
import io.isthmus.api.config.ValidationError;
import io.isthmus.api.json.JsonInputException;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.json.StrictJson;
import io.isthmus.api.net.Ipv4Address;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Network document JSON text to {@link NetworkDocument}, applying the core rules. It walks the whole
 * tree and collects every error, so an operator fixes a document in one round trip, not one per error.
 */
final class DocumentParser {
    /** The sections the core understands; any other top-level key must be claimed by a validator. */
    static final List<String> SECTIONS = List.of("ports", "routes", "uplink", "firewall", "multicast", "dns",
            "management");

    private final DeviceProfile profile;

    DocumentParser(DeviceProfile profile) {
        this.profile = profile;
    }

    /**
     * @param claimedSections top-level keys owned by registered validators: kept as extensions
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
        Map<String, Object> extensions = new LinkedHashMap<>();
        for (JsonValue section : root.members()) {
            String name = section.name();
            if (SECTIONS.contains(name)) {
                continue;
            }
            if (!claimedSections.contains(name)) {
                in.error(section.pointer(), "unknown section " + JsonValue.quote(name) + "; expected one of "
                        + String.join(", ", SECTIONS) + (claimedSections.isEmpty() ? ""
                                : " or a section of an installed capability (" + String.join(", ",
                                        claimedSections.stream().sorted().toList()) + ")"));
            } else if (section.isNull()) {
                in.error(section.pointer(), "section " + JsonValue.quote(name) + " is null; expected a value, or leave "
                        + "the section out");
            } else {
                extensions.put(name, section.plain());
            }
        }
        KnownPorts ports = new PortsSection(in, profile).read(root.get("ports"));
        List<RouteConfig> routes = new RoutesSection(in, ports).read(root.get("routes"));
        UplinkConfig uplink = new UplinkSection(in).read(root.get("uplink"));
        FirewallSection firewallSection = new FirewallSection(in, ports);
        FirewallConfig firewall = firewallSection.read(root.get("firewall"));
        MulticastConfig multicast = new MulticastSection(in, ports, new ZoneRefs(in, firewallSection.zoneNames()))
                .read(root.get("multicast"));
        DnsConfig dns = root.get("dns").flatMap(s -> in.object(s, List.of("servers")))
                .map(s -> new DnsConfig(in.optionalList(s, "servers",
                        a -> Addresses.address(in, a).map(Ipv4Address::toString))))
                .orElse(DnsConfig.empty());
        ManagementConfig management = new ManagementSection(in).read(root.get("management"));
        return Optional.of(new NetworkDocument(ports.configs(), routes, uplink, firewall, multicast, dns, management,
                extensions));
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
