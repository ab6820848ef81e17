package io.isthmus.net.cellular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.config.Ipv4Config;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortRole;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The port's steps against a scripted ModemManager (a fake: the D-Bus client is tested in CellularSystemIT). */
class CellularPortTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String MODEM = "/org/freedesktop/ModemManager1/Modem/0";
    static final String SIM = "/org/freedesktop/ModemManager1/SIM/0";
    static final String BEARER = "/org/freedesktop/ModemManager1/Bearer/1";

    /** A modem whose state the test sets, recording every call. */
    static final class FakeModemManager implements ModemManager {
        final List<String> calls = new ArrayList<>();
        int state = ModemView.DISABLED;
        int lock = ModemView.LOCK_NONE;
        Optional<BearerView> bearer = Optional.empty();
        Optional<ModemError> connectError = Optional.empty();
        Optional<ModemError> pinError = Optional.empty();

        ModemView view() {
            Map<String, Map<String, Object>> ifaces = new LinkedHashMap<>();
            ifaces.put(ModemView.MODEM, Map.of("State", state, "UnlockRequired", (long) lock, "Sim", SIM,
                    "EquipmentIdentifier", "356938035643809", "Bearers", bearer.map(b -> List.of(b.path()))
                            .orElse(List.of()), "SignalQuality", List.of(70L, true), "AccessTechnologies", 1L << 14));
            ifaces.put(ModemView.MODEM_3GPP, Map.of("RegistrationState", state >= ModemView.REGISTERED ? 1L : 2L,
                    "Imei", "356938035643809", "OperatorName", "Lab"));
            return ModemView.of(MODEM, ifaces).orElseThrow();
        }

        @Override
        public List<ModemView> modems() {
            return List.of(view());
        }

        @Override
        public Optional<BearerView> bearer(String path) {
            return bearer.filter(b -> b.path().equals(path));
        }

        @Override
        public Optional<String> iccid(String simPath) {
            return Optional.of("89490200001234567890");
        }

        @Override
        public void sendPin(String simPath, String pin) throws ModemError {
            calls.add("SendPin");
            if (pinError.isPresent()) {
                throw pinError.get();
            }
            lock = ModemView.LOCK_NONE;
            state = ModemView.DISABLED;
        }

        @Override
        public void enable(String modemPath) {
            calls.add("Enable");
            state = ModemView.REGISTERED;
        }

        @Override
        public CompletableFuture<String> connect(String modemPath, Map<String, Object> properties) {
            calls.add("Connect " + properties.get("apn"));
            if (connectError.isPresent()) {
                return CompletableFuture.failedFuture(connectError.get());
            }
            bearer = Optional.of(connected(String.valueOf(properties.get("apn"))));
            state = ModemView.CONNECTED;
            return CompletableFuture.completedFuture(BEARER);
        }

        @Override
        public void disconnect(String modemPath, String bearerPath) {
            calls.add("Disconnect");
            bearer = Optional.empty();
            state = ModemView.REGISTERED;
        }

        @Override
        public void reset(String modemPath) {
            calls.add("Reset");
            bearer = Optional.empty();
            state = ModemView.DISABLED;
        }
    }

    static BearerView connected(String apn) {
        return new BearerView(BEARER, true, Optional.of("wwan0"), Optional.of(new BearerView.Ip4(
                Ipv4Cidr.parse("100.65.1.10/24").orElseThrow(), Ipv4Address.parse("100.65.1.1"),
                List.of(Ipv4Address.parse("203.0.113.53").orElseThrow()), Optional.of(1430))), Optional.of(apn),
                Optional.empty());
    }

    /** Records what the port does outside ModemManager. */
    static final class Recorder implements CellularPort.Effects {
        final List<String> effects = new ArrayList<>();
        final List<Map<String, Object>> events = new ArrayList<>();
        Optional<PortConfig> assigned = Optional.empty();

        @Override
        public void assign(String port, PortConfig config) {
            effects.add("assign " + port);
            assigned = Optional.of(config);
        }

        @Override
        public void release(String port) {
            effects.add("release " + port);
            assigned = Optional.empty();
        }

        @Override
        public void event(Map<String, Object> body) {
            events.add(body);
        }

        @Override
        public void info(String message) {
        }

        @Override
        public void warn(String message) {
        }
    }

    static PortConfig port(Map<String, Object> cellular) {
        return new PortConfig(PortKind.CELLULAR, PortRole.UPLINK, 100, new Ipv4Config.Dhcp(), Optional.empty(),
                Optional.empty(), List.of(), Map.of("cellular", cellular));
    }

    final FakeModemManager mm = new FakeModemManager();
    final Recorder out = new Recorder();

    void steps(CellularPort p, int n, Instant at) {
        for (int i = 0; i < n; i++) {
            p.step(at, Optional.of(mm.view()), mm);
        }
    }

    @Test
    void enablesConnectsAndPutsTheBearersSettingsOnThePort() {
        CellularPort p = new CellularPort("wwan0", port(Map.of("apn", "internet")), out, () -> 0);
        steps(p, 4, T0);
        assertEquals(List.of("Enable", "Connect internet"), mm.calls);
        PortConfig cfg = out.assigned.orElseThrow();
        assertEquals(new Ipv4Config.Static(Ipv4Cidr.parse("100.65.1.10/24").orElseThrow(),
                Ipv4Address.parse("100.65.1.1")), cfg.ipv4());
        assertEquals(List.of("203.0.113.53"), cfg.dns());
        assertEquals(Optional.of(1430), cfg.mtu());
        assertEquals(PortKind.CELLULAR, cfg.kind());
        assertTrue(p.connected());
        assertEquals(Optional.empty(), p.problem());
        steps(p, 3, T0);
        assertEquals(List.of("assign wwan0"), out.effects, "assigned once, not on every step");
    }

    @Test
    void aWrongPinIsSentOnceAndReportedWithoutRetriesOrResets() {
        mm.state = ModemView.LOCKED;
        mm.lock = ModemView.LOCK_SIM_PIN;
        mm.pinError = Optional.of(new ModemError(
                "org.freedesktop.ModemManager1.Error.MobileEquipment.IncorrectPassword", "Incorrect password"));
        CellularPort p = new CellularPort("wwan0", port(Map.of("apn", "internet", "pin", "4321", "recovery",
                Map.of("resetAfterFailures", 1, "reconnectMinMs", 100, "minResetIntervalS", 1))), out, () -> 0);
        for (int s = 0; s < 600; s++) {
            p.step(T0.plusSeconds(s), Optional.of(mm.view()), mm);
        }
        assertEquals(List.of("SendPin"), mm.calls);
        assertEquals(Optional.of("SIM PIN wrong"), p.problem());
        assertEquals(1, out.events.size());
        assertEquals("configurationError", out.events.get(0).get("event"));
        assertFalse(out.events.toString().contains("4321"));
        assertEquals("****************7890", out.events.get(0).get("iccid"));
    }

    @Test
    void aBearerWithAnotherApnIsDisconnectedAndTheDocumentsApnConnected() {
        mm.state = ModemView.CONNECTED;
        mm.bearer = Optional.of(connected("old.apn"));
        CellularPort p = new CellularPort("wwan0", port(Map.of("apn", "internet")), out, () -> 0);
        steps(p, 3, T0);
        assertEquals(List.of("Disconnect", "Connect internet"), mm.calls);
        assertTrue(p.connected());
    }

    @Test
    void aPortThatLeavesTheDocumentDisconnectsItsBearerAndReleasesItsAddresses() {
        CellularPort p = new CellularPort("wwan0", port(Map.of("apn", "internet")), out, () -> 0);
        steps(p, 4, T0);
        p.stop(Optional.of(mm));
        assertEquals(List.of("Enable", "Connect internet", "Disconnect"), mm.calls);
        assertEquals(List.of("assign wwan0", "release wwan0"), out.effects);
        assertFalse(p.connected());
    }

    @Test
    void aStuckModemIsResetAfterTheFailuresAndNotAgainWithinTheInterval() {
        CellularPort p = new CellularPort("wwan0", port(Map.of("apn", "internet", "recovery", Map.of(
                "reconnectMinMs", 1000, "reconnectMaxMs", 4000, "resetAfterFailures", 2, "minResetIntervalS", 60))),
                out, () -> 0);
        steps(p, 4, T0);
        assertTrue(p.connected());
        mm.bearer = Optional.empty(); // the network is gone and stays gone
        mm.state = ModemView.ENABLED + 1; // searching
        mm.connectError = Optional.of(new ModemError(
                "org.freedesktop.ModemManager1.Error.MobileEquipment.NetworkTimeout", "Network timeout"));
        List<String> resets = new ArrayList<>();
        for (int ms = 0; ms <= 90_000; ms += 100) {
            int before = (int) mm.calls.stream().filter("Reset"::equals).count();
            p.step(T0.plusMillis(1000 + ms), Optional.of(mm.view()), mm);
            if (mm.calls.stream().filter("Reset"::equals).count() > before) {
                resets.add(String.valueOf(ms));
                mm.state = ModemView.ENABLED + 1; // comes back searching
            }
        }
        assertEquals(List.of("release wwan0"), out.effects.subList(1, 2));
        assertEquals(2, resets.size(), "a reset, then the next one only after 60 s: " + resets);
        assertTrue(Integer.parseInt(resets.get(1)) - Integer.parseInt(resets.get(0)) >= 60_000, resets.toString());
    }
}
