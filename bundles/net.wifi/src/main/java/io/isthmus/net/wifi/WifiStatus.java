package io.isthmus.net.wifi;

import io.isthmus.api.config.PortConfig;
import io.isthmus.api.linux.Link;
import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortStatus;
import io.isthmus.api.net.PortStatusBoard;
import io.isthmus.api.net.PortStatusListener;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The WiFi ports' status for {@link PortStatusListener}s and {@code status}: the addressing's status (or the
 * link's) with the {@code wifi} details added; a change of signal or link speed alone tells no listener.
 */
final class WifiStatus {
    /** Keys of details that change all the time: a change in them alone tells no listener. */
    static final List<String> VOLATILE_DETAILS = List.of("signalDbm", "linkSpeedMbps");

    private final PortStatusBoard board = new PortStatusBoard(
            (now, before) -> withoutVolatile(now).equals(withoutVolatile(before)));

    void add(PortStatusListener listener) {
        board.add(listener);
    }

    void remove(PortStatusListener listener) {
        board.remove(listener);
    }

    List<PortStatus> all() {
        return board.all();
    }

    void publish(Map<String, PortConfig> wanted, Map<String, Link> links, Map<String, WifiPort> states) {
        Map<String, PortStatus> next = new LinkedHashMap<>();
        wanted.forEach((name, port) -> {
            WifiPort state = states.get(name);
            if (state != null) {
                next.put(name, statusOf(state, port, Optional.ofNullable(links.get(name))));
            }
        });
        board.publish(next);
    }

    private static PortStatus withoutVolatile(PortStatus s) {
        Map<String, Object> d = new LinkedHashMap<>(s.details());
        VOLATILE_DETAILS.forEach(d::remove);
        return s.with(d, s.problem());
    }

    private PortStatus statusOf(WifiPort state, PortConfig port, Optional<Link> link) {
        Map<String, Object> details = details(state);
        Optional<PortStatus> assigned = state.assigned.isPresent() ? state.addressing : Optional.empty();
        if (assigned.isPresent()) {
            return assigned.get().with(details, state.problem);
        }
        PortStatus own = new PortStatus(state.name, PortKind.WIFI, port.role(), port.cost(), link.isPresent(),
                link.map(Link::carrier).orElse(false), List.of(), Optional.empty(), List.of(),
                link.map(Link::mtu), link.map(Link::mac), link.map(Link::rxBytes).orElse(0L),
                link.map(Link::txBytes).orElse(0L), Optional.empty());
        return own.with(details, state.problem);
    }

    /** The wifi object of status: state, network, signal; never a secret. */
    static Map<String, Object> details(WifiPort state) {
        Map<String, Object> d = new LinkedHashMap<>();
        state.status.ifPresentOrElse(s -> {
            d.put("state", s.wpaState());
            s.ssid().ifPresent(v -> d.put("ssid", v));
            s.bssid().ifPresent(v -> d.put("bssid", v));
            Optional<Integer> freq = s.frequencyMhz().or(state.signal::frequencyMhz);
            freq.ifPresent(v -> d.put("frequencyMhz", v));
            freq.flatMap(WifiSettings.Band::ofFrequency).ifPresent(v -> d.put("band", v));
            state.signal.rssiDbm().ifPresent(v -> d.put("signalDbm", v));
            state.signal.linkSpeedMbps().ifPresent(v -> d.put("linkSpeedMbps", v));
            s.keyManagement().ifPresent(v -> d.put("keyManagement", v));
            s.eapState().ifPresent(v -> d.put("eapState", v));
            s.eapMethod().ifPresent(v -> d.put("eapMethod", v));
            s.portStatus().ifPresent(v -> d.put("authorized", "Authorized".equals(v)));
        }, () -> d.put("state", state.control.isPresent() ? "UNKNOWN" : "NO_SUPPLICANT"));
        state.lastEvent.ifPresent(e -> d.put("lastFailure", e));
        return d;
    }

}
