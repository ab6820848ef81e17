package io.isthmus.config.impl;

import io.isthmus.api.config.Addresses;
import io.isthmus.api.config.Ipv4Config;
import io.isthmus.api.config.KnownPorts;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.config.PortKindReader;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.net.InterfaceName;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortRole;
import io.isthmus.config.impl.DeviceProfile.PortDefaults;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Reads {@code /ports}: each port with the profile's defaults filled in, then the overlap check across ports. */
final class PortsSection {
    static final int UPLINK_MIN_MTU = 576;
    /** The keys every port may have; a port may also have the settings key of its kind, when a driver reads it. */
    static final List<String> BASE_KEYS = List.of("kind", "role", "cost", "ipv4", "mtu", "mac", "dns");
    private static final List<String> ROLES = Arrays.stream(PortRole.values()).map(PortRole::id).toList();
    private static final List<String> METHODS = List.of("dhcp", "static", "none");
    static final List<String> STATIC_KEYS = List.of("method", "address", "gateway");
    private static final Pattern MAC = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}");
    private static final String ALL_OR_NOTHING = "static IPv4 on an uplink needs address and gateway: all or nothing";

    private final JsonReader in;
    private final DeviceProfile profile;
    private final Map<String, PortKindReader> kindReaders;
    private final List<String> kinds;
    private final List<String> keys;
    private final Map<String, PortConfig> configs = new LinkedHashMap<>();
    private final Set<String> names = new LinkedHashSet<>();
    private final Map<String, PortRole> roles = new LinkedHashMap<>();
    private final Map<String, Ipv4Cidr> staticAddresses = new LinkedHashMap<>();
    private final Map<String, String> addressPointers = new LinkedHashMap<>();

    /** @param kindReaders the installed port kinds: each driver's reader of its kind, by kind */
    PortsSection(JsonReader in, DeviceProfile profile, Map<String, PortKindReader> kindReaders) {
        this.in = in;
        this.profile = profile;
        this.kindReaders = Map.copyOf(kindReaders);
        this.kinds = kinds(kindReaders);
        this.keys = keys(kindReaders);
    }

    /** The installed kinds, cheapest first (ethernet, wifi, cellular), as errors list them. */
    static List<String> kinds(Map<String, PortKindReader> kindReaders) {
        return kindReaders.entrySet().stream().sorted(Comparator.comparingInt((Map.Entry<String, PortKindReader> e)
                -> e.getValue().defaultCost()).thenComparing(Map.Entry::getKey)).map(Map.Entry::getKey).toList();
    }

    /** The keys a port may have: the base keys, then the settings key of each installed kind that has settings. */
    static List<String> keys(Map<String, PortKindReader> kindReaders) {
        List<String> keys = new ArrayList<>(BASE_KEYS);
        kinds(kindReaders).stream().filter(k -> kindReaders.get(k).hasSettings()).forEach(keys::add);
        return List.copyOf(keys);
    }

    KnownPorts read(Optional<JsonValue> section) {
        section.flatMap(in::object).ifPresent(ports -> ports.members().forEach(this::port));
        reportOverlaps();
        return new KnownPorts(configs, names, roles, staticAddresses);
    }

    private void port(JsonValue at) {
        String name = at.name();
        names.add(name);
        if (!InterfaceName.isValid(name)) {
            in.error(at.pointer(), JsonValue.quote(name)
                    + " is not a valid Linux interface name; expected 1 to 15 of A-Z a-z 0-9 _ . -");
        }
        Optional<JsonValue> object = in.object(at, keys);
        if (object.isEmpty()) {
            return;
        }
        JsonValue port = object.get();
        Optional<PortDefaults> defaults = profile.port(name);
        Optional<PortKind> kind = enumMember(port, "kind", "port kind", kinds, PortKind::of,
                defaults.flatMap(PortDefaults::kind)).filter(k -> installed(port, k));
        Optional<PortRole> role = enumMember(port, "role", "port role", ROLES, PortRole::of,
                defaults.flatMap(PortDefaults::role));
        role.ifPresent(r -> roles.put(name, r));
        Optional<Integer> cost = port.get("cost").map(c -> in.integer(c, 0, 255))
                .orElseGet(() -> defaults.flatMap(PortDefaults::cost).or(() -> kind.map(k -> kindReaders.get(k.id()).defaultCost())));
        Optional<Ipv4Config> ipv4 = port.get("ipv4").map(v -> ipv4(name, v, role))
                .orElseGet(() -> role.map(r -> r == PortRole.UPLINK ? new Ipv4Config.Dhcp() : new Ipv4Config.Disabled()));
        // An uplink carries management over TLS: below 576 (the datagram every IPv4 host must take, RFC 791) the
        // handshake may pass and full segments not — a gateway committed that way is lost for good.
        boolean uplink = role.filter(r -> r == PortRole.UPLINK).isPresent();
        Optional<Integer> mtu = port.get("mtu").flatMap(m -> uplink
                ? in.integer(m, UPLINK_MIN_MTU, 9000, " (an uplink carries management: at least " + UPLINK_MIN_MTU + ")")
                : in.integer(m, 68, 9000));
        Optional<String> mac = port.get("mac").flatMap(this::mac);
        List<String> dns = in.optionalList(port, "dns", a -> Addresses.address(in, a).map(Ipv4Address::toString));
        Map<String, Object> driver = new LinkedHashMap<>();
        kindReaders.forEach((driverKind, reader) -> port.get(driverKind).filter(d -> reader.hasSettings())
                .flatMap(d -> driverSettings(d, driverKind, kind, reader))
                .ifPresent(settings -> driver.put(driverKind, settings)));
        if (kind.isPresent() && role.isPresent() && cost.isPresent() && ipv4.isPresent()) {
            configs.put(name, new PortConfig(kind.get(), role.get(), cost.get(), ipv4.get(), mtu, mac, dns, driver));
        }
    }

    /** A kind the device profile gives must be installed too: a driver registers it. */
    private boolean installed(JsonValue port, PortKind kind) {
        if (kindReaders.containsKey(kind.id())) {
            return true;
        }
        in.error(port.pointer(), "the device profile's port kind " + JsonValue.quote(kind.id()) + " for this port is "
                + "not installed; expected one of " + String.join(", ", kinds));
        return false;
    }

    /** A kind or role: the document's value, else the profile's; with neither the port is incomplete. */
    private <E> Optional<E> enumMember(JsonValue port, String key, String what, List<String> ids,
            Function<String, Optional<E>> byId, Optional<E> fromProfile) {
        Optional<JsonValue> given = port.get(key);
        if (given.isPresent()) {
            return in.oneOf(given.get(), what, ids).flatMap(byId);
        }
        if (fromProfile.isEmpty()) {
            in.error(port.pointer(), "missing " + JsonValue.quote(key) + ": the device profile has no " + what
                    + " for this port; expected one of " + String.join(", ", ids));
        }
        return fromProfile;
    }

    private Optional<Ipv4Config> ipv4(String port, JsonValue at, Optional<PortRole> role) {
        Optional<JsonValue> object = in.object(at);
        if (object.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> method = in.required(at, "method", "one of " + String.join(", ", METHODS))
                .flatMap(m -> in.oneOf(m, "IPv4 method", METHODS));
        if (method.isEmpty()) {
            return Optional.empty();
        }
        if (method.get().equals("static")) {
            return staticIpv4(port, at, role);
        }
        at.members().stream().filter(m -> !m.name().equals("method")).forEach(m -> in.error(m.pointer(),
                "unknown key " + JsonValue.quote(m.name()) + " for method " + method.get()
                        + "; only method static takes " + String.join(", ", STATIC_KEYS.subList(1, 3))));
        return Optional.of(method.get().equals("dhcp") ? new Ipv4Config.Dhcp() : new Ipv4Config.Disabled());
    }

    private Optional<Ipv4Config> staticIpv4(String port, JsonValue at, Optional<PortRole> role) {
        in.object(at, STATIC_KEYS);
        Optional<JsonValue> addressField = at.get("address");
        Optional<JsonValue> gatewayField = at.get("gateway");
        boolean uplink = role.equals(Optional.of(PortRole.UPLINK));
        if (uplink && (addressField.isEmpty() || gatewayField.isEmpty())) {
            in.error(at.pointer(), ALL_OR_NOTHING);
        } else if (addressField.isEmpty()) {
            in.error(at.pointer(), "missing \"address\": static IPv4 needs the port's address with prefix length, "
                    + "e.g. 192.168.50.1/24");
        }
        Optional<Ipv4Cidr> address = addressField.flatMap(a -> Addresses.hostCidr(in, a));
        address.ifPresent(a -> {
            staticAddresses.put(port, a);
            addressPointers.put(port, addressField.get().pointer());
        });
        if (gatewayField.isPresent() && role.equals(Optional.of(PortRole.OFFLINE))) {
            in.error(gatewayField.get().pointer(), "an offline port never has a gateway; remove \"gateway\"");
            return address.map(a -> new Ipv4Config.Static(a, Optional.empty()));
        }
        Optional<Ipv4Address> gateway = gatewayField.flatMap(a -> Addresses.hostAddress(in, a));
        if (address.isPresent() && gateway.isPresent()) {
            checkGateway(gatewayField.get(), address.get(), gateway.get());
        }
        return address.map(a -> new Ipv4Config.Static(a, gateway));
    }

    private void checkGateway(JsonValue at, Ipv4Cidr address, Ipv4Address gateway) {
        if (!address.contains(gateway)) {
            in.error(at.pointer(), "gateway " + gateway + " is outside this port's subnet " + address.network()
                    + "; expected an address inside it");
        } else if (gateway.equals(address.address())) {
            in.error(at.pointer(), "gateway " + gateway + " is this port's own address; expected another host "
                    + "of " + address.network());
        } else {
            // the kernel installs such a default route, and the uplink would still look healthy on carrier alone
            Addresses.notAHostOn(address, gateway).ifPresent(why -> in.error(at.pointer(), "gateway " + gateway
                    + " " + why + "; expected a host of that subnet"));
        }
    }

    private Optional<String> mac(JsonValue at) {
        return in.matching(at, MAC, "a MAC address like 02:00:00:00:00:01").flatMap(text -> {
            String mac = text.toLowerCase(Locale.ROOT);
            if (mac.equals("00:00:00:00:00:00")) {
                in.error(at.pointer(), "the all-zero MAC address is not a usable address");
                return Optional.empty();
            }
            if ((Integer.parseInt(mac.substring(0, 2), 16) & 1) != 0) {
                in.error(at.pointer(), mac + " is a multicast address (low bit of the first octet set); expected a "
                        + "unicast address");
                return Optional.empty();
            }
            return Optional.of(mac);
        });
    }

    /** Driver settings are read by the driver bundle of that kind: their rules are its own. */
    private Optional<Object> driverSettings(JsonValue at, String driverKind, Optional<PortKind> portKind,
            PortKindReader reader) {
        if (portKind.isPresent() && !portKind.get().id().equals(driverKind)) {
            in.error(at.pointer(), "a " + JsonValue.quote(driverKind) + " object is only allowed on a port of kind "
                    + driverKind + "; this port is " + portKind.get().id());
            return Optional.empty();
        }
        try {
            return reader.read(at, in);
        } catch (RuntimeException | LinkageError e) {
            in.error(at.pointer(), "the " + driverKind + " driver's settings reader failed: " + Failures.describe(e));
            return Optional.empty();
        }
    }

    /** Two static ports on overlapping subnets would make routing ambiguous; report it at the later port. */
    private void reportOverlaps() {
        List<String> ordered = List.copyOf(staticAddresses.keySet());
        for (int later = 1; later < ordered.size(); later++) {
            Ipv4Cidr address = staticAddresses.get(ordered.get(later));
            for (String earlier : ordered.subList(0, later)) {
                Ipv4Cidr other = staticAddresses.get(earlier);
                if (address.overlaps(other)) {
                    in.error(addressPointers.get(ordered.get(later)), address + " overlaps " + other + " of port "
                            + earlier + "; expected a subnet of its own");
                }
            }
        }
    }
}
