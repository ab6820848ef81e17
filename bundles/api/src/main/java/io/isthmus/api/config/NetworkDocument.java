package io.isthmus.api.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The whole desired network state of one gateway, as the network document describes it.
 * Immutable; ports keep the order of the document.
 *
 * @param sections   the typed value of each section a {@link SectionReader} read (the reader's "absent" value when
 *                   the document leaves the section out), by section name: {@code uplink}, {@code firewall},
 *                   {@code multicast}, {@code management} and whatever an installed capability reads
 * @param extensions top-level sections that capability bundles own and validate themselves (a
 *                   {@link SectionValidator} without a reader), as plain Java values (Map, List, String, Number,
 *                   Boolean)
 */
@ProviderType
public record NetworkDocument(Map<String, PortConfig> ports, List<RouteConfig> routes, DnsConfig dns,
        Map<String, Object> sections, Map<String, Object> extensions) {
    public static final String UPLINK = "uplink";
    public static final String FIREWALL = "firewall";
    public static final String MULTICAST = "multicast";
    public static final String MANAGEMENT = "management";

    public NetworkDocument {
        ports = Collections.unmodifiableMap(new LinkedHashMap<>(ports));
        routes = List.copyOf(routes);
        sections = Collections.unmodifiableMap(new LinkedHashMap<>(sections));
        extensions = Map.copyOf(extensions);
    }

    /** The document of API 1.0–1.3, whose four capability sections were fixed. */
    public NetworkDocument(Map<String, PortConfig> ports, List<RouteConfig> routes, UplinkConfig uplink,
            FirewallConfig firewall, MulticastConfig multicast, DnsConfig dns, ManagementConfig management,
            Map<String, Object> extensions) {
        this(ports, routes, dns, fixedSections(uplink, firewall, multicast, management), extensions);
    }

    private static Map<String, Object> fixedSections(UplinkConfig uplink, FirewallConfig firewall,
            MulticastConfig multicast, ManagementConfig management) {
        Map<String, Object> sections = new LinkedHashMap<>();
        sections.put(UPLINK, uplink);
        sections.put(FIREWALL, firewall);
        sections.put(MULTICAST, multicast);
        sections.put(MANAGEMENT, management);
        return sections;
    }

    /**
     * A top-level section by name and type: a reader's typed value, else an extension's plain value; empty when
     * the document has neither or the value is not of {@code type}.
     */
    public <T> Optional<T> section(String name, Class<T> type) {
        Object value = sections.containsKey(name) ? sections.get(name) : extensions.get(name);
        return type.isInstance(value) ? Optional.of(type.cast(value)) : Optional.empty();
    }

    /** {@code /uplink}; its defaults when the uplink bundle is not installed. */
    public UplinkConfig uplink() {
        return section(UPLINK, UplinkConfig.class).orElseGet(UplinkConfig::defaults);
    }

    /** {@code /firewall}; empty when the firewall bundle is not installed. */
    public FirewallConfig firewall() {
        return section(FIREWALL, FirewallConfig.class).orElseGet(FirewallConfig::empty);
    }

    /** {@code /multicast}; empty when the multicast bundle is not installed. */
    public MulticastConfig multicast() {
        return section(MULTICAST, MulticastConfig.class).orElseGet(MulticastConfig::empty);
    }

    /** {@code /management}; empty when the management bundle is not installed. */
    public ManagementConfig management() {
        return section(MANAGEMENT, ManagementConfig.class).orElseGet(ManagementConfig::empty);
    }
}
