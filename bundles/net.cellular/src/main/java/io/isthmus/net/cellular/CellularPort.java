package io.isthmus.net.cellular;

import io.isthmus.api.config.Ipv4Config;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortRole;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.DoubleSupplier;

/**
 * One cellular port of the document and its modem: each {@link #step} compares what ModemManager reports with
 * what the document wants and does the one next thing (unlock the SIM, enable, connect a bearer, apply the
 * bearer's IP settings, or recover), as the {@link RecoveryPolicy} allows. Not thread-safe: the driver's worker
 * thread only.
 */
final class CellularPort {
    /** Longer than ModemManager's own registration and connect timeouts. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(180);

    /** What a step does outside ModemManager. */
    interface Effects {
        /** Puts the bearer's IPv4 settings on the port (through the Ethernet bundle's IPv4 layer). */
        void assign(String port, PortConfig config) throws Exception;

        /** Takes them off again. */
        void release(String port) throws Exception;

        void event(Map<String, Object> body);

        void info(String message);

        void warn(String message);
    }

    final String name;
    final PortConfig port;
    final CellularSettings settings;
    private final RecoveryPolicy policy;
    private final Effects effects;
    private Optional<CompletableFuture<String>> connecting = Optional.empty();
    private Instant connectStarted = Instant.EPOCH;
    /** What this driver assigned (or found assigned by its predecessor: then empty until the first step). */
    private Optional<PortConfig> assigned = Optional.empty();
    private boolean up;
    private Optional<String> problem = Optional.of("waiting for ModemManager");
    private Optional<String> eventedProblem = Optional.empty();
    private Optional<ModemView> modem = Optional.empty();
    private Optional<BearerView> bearer = Optional.empty();
    private Optional<String> iccid = Optional.empty();
    private String iccidOf = "";

    CellularPort(String name, PortConfig port, Effects effects, DoubleSupplier jitter) {
        this.name = name;
        this.port = port;
        this.settings = settingsOf(port);
        this.policy = new RecoveryPolicy(settings.recovery(), jitter);
        this.effects = effects;
    }

    @SuppressWarnings("unchecked")
    static CellularSettings settingsOf(PortConfig port) {
        return CellularSettings.of(port.driver().get("cellular") instanceof Map<?, ?> m ? (Map<String, Object>) m
                : Map.of("apn", ""));
    }

    /**
     * A new document changed this port: what the kernel and the modem have (assigned IP, a bearer up) carries
     * over; with the same modem settings (only role, cost, DNS or MTU changed) the recovery history does too.
     */
    CellularPort takeOver(CellularPort previous) {
        assigned = previous.assigned;
        up = previous.up;
        modem = previous.modem;
        bearer = previous.bearer;
        iccid = previous.iccid;
        iccidOf = previous.iccidOf;
        if (previous.settings.equals(settings)) {
            policy.copyFrom(previous.policy);
            connecting = previous.connecting;
            connectStarted = previous.connectStarted;
            problem = previous.problem;
            eventedProblem = previous.eventedProblem;
        }
        return this;
    }

    /** The modem this port uses: the one its selector names, else the first that no other port took. */
    Optional<ModemView> choose(List<ModemView> modems, List<String> taken) {
        return settings.modem().map(sel -> modems.stream().filter(m -> m.matches(sel)).findFirst())
                .orElseGet(() -> modems.stream().filter(m -> !taken.contains(m.path())).findFirst());
    }

    /** One reconcile step; {@code modem} as just read from ModemManager. */
    void step(Instant now, Optional<ModemView> current, ModemManager mm) {
        modem = current;
        if (current.isEmpty()) {
            bearer = Optional.empty();
            problem = Optional.of(settings.modem().map(s -> "no modem " + s + " found").orElse("no modem found"));
            releaseIfAssigned();
            up = false;
            return;
        }
        ModemView m = current.get();
        readIccid(m, mm);
        List<BearerView> bearers = new ArrayList<>();
        for (String path : m.bearers()) {
            try {
                mm.bearer(path).ifPresent(bearers::add);
            } catch (ModemError e) {
                effects.warn("cellular " + name + ": cannot read bearer " + path + ": " + e.getMessage());
            }
        }
        Optional<BearerView> connected = bearers.stream().filter(BearerView::connected).findFirst();
        bearer = connected.or(() -> bearers.stream().findFirst());
        if (connecting.isPresent() && !connectDone(now)) {
            return;
        }
        if (connected.isPresent()) {
            whileConnected(now, m, connected.get(), mm);
            return;
        }
        if (up) {
            up = false;
            String why = m.registered() ? "bearer lost" : "registration lost";
            policy.failed(now, why);
            effects.warn("cellular " + name + ": " + why + "; reconnecting in "
                    + Duration.between(now, policy.nextAttempt()).toMillis() + " ms");
            effects.event(event("bearerLost", why));
        }
        releaseIfAssigned();
        recover(now, m, mm);
    }

    private void readIccid(ModemView m, ModemManager mm) {
        String sim = m.sim().orElse("");
        if (!sim.equals(iccidOf)) {
            try {
                iccid = sim.isEmpty() ? Optional.empty() : mm.iccid(sim);
                iccidOf = sim;
            } catch (ModemError e) {
                iccid = Optional.empty();
            }
        }
    }

    /** True once the pending connect has finished (either way) or timed out. */
    private boolean connectDone(Instant now) {
        CompletableFuture<String> pending = connecting.get();
        if (!pending.isDone()) {
            if (now.isAfter(connectStarted.plus(CONNECT_TIMEOUT))) {
                pending.cancel(true);
                connecting = Optional.empty();
                policy.failed(now, "connect: no answer from ModemManager within " + CONNECT_TIMEOUT.toSeconds() + " s");
                return true;
            }
            problem = Optional.of("connecting (APN " + settings.apn() + ")");
            return false;
        }
        connecting = Optional.empty();
        try {
            String path = pending.get();
            policy.succeeded(now);
            effects.info("cellular " + name + ": bearer " + path + " connected (APN " + settings.apn() + ")");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ModemError error) {
                failedWith(now, error);
            } else {
                policy.failed(now, "connect failed: " + e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    private void whileConnected(Instant now, ModemView m, BearerView b, ModemManager mm) {
        if (b.apn().isPresent() && !b.apn().get().equalsIgnoreCase(settings.apn())) {
            effects.info("cellular " + name + ": bearer " + b.path() + " has APN " + b.apn().get() + ", the document "
                    + "wants " + settings.apn() + ": disconnecting it");
            try {
                mm.disconnect(m.path(), b.path());
            } catch (ModemError e) {
                effects.warn("cellular " + name + ": disconnect failed: " + e.getMessage());
            }
            releaseIfAssigned();
            up = false;
            return;
        }
        if (!up) {
            policy.succeeded(now);
            eventedProblem = Optional.empty();
            effects.event(event("connected", ""));
        }
        up = true;
        Optional<PortConfig> wanted = ipv4Of(b);
        problem = wanted.isEmpty() ? Optional.of("bearer connected without IPv4 settings (ipType "
                + settings.ipType().name().toLowerCase(java.util.Locale.ROOT) + ")") : Optional.empty();
        b.interfaceName().filter(i -> !i.equals(name)).ifPresent(i -> problem = Optional.of("the bearer's data "
                + "interface is " + i + ", not " + name + ": name the port after it"));
        if (wanted.isPresent() && !wanted.equals(assigned)) {
            try {
                effects.assign(name, wanted.get());
                assigned = wanted;
                effects.info("cellular " + name + ": bearer IPv4 " + b.ip4().map(BearerView.Ip4::address)
                        .map(String::valueOf).orElse("by DHCP") + " applied");
            } catch (Exception e) {
                problem = Optional.of("cannot apply the bearer's IPv4 settings: " + e.getMessage());
            }
        }
    }

    /** The port's IPv4 as the bearer says: its address and gateway (uplinks only), DNS and MTU. */
    Optional<PortConfig> ipv4Of(BearerView b) {
        return b.ip4().map(ip -> new PortConfig(PortKind.CELLULAR, port.role(), port.cost(),
                new Ipv4Config.Static(ip.address(), port.role() == PortRole.UPLINK ? ip.gateway() : Optional.empty()),
                port.mtu().or(ip::mtu), Optional.empty(),
                port.dns().isEmpty() ? ip.dns().stream().map(Ipv4Address::toString).toList() : port.dns(),
                port.driver()));
    }

    private void recover(Instant now, ModemView m, ModemManager mm) {
        RecoveryPolicy.Decision decision = policy.next(now);
        if (decision instanceof RecoveryPolicy.Decision.Blocked b) {
            problem = Optional.of(b.problem());
        } else if (decision instanceof RecoveryPolicy.Decision.Wait w) {
            problem = Optional.of(policy.configError().orElse(policy.lastFailure().orElse("not connected"))
                    + "; next attempt at " + w.until().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        } else if (decision instanceof RecoveryPolicy.Decision.Reset) {
            effects.warn("cellular " + name + ": " + policy.failures() + " reconnects failed (last: "
                    + policy.lastFailure().orElse("?") + "): resetting the modem");
            try {
                mm.reset(m.path());
            } catch (ModemError e) {
                effects.warn("cellular " + name + ": modem reset failed: " + e.getMessage());
            }
            effects.event(event("modemReset", policy.lastFailure().orElse("")));
            policy.resetDone(now);
            problem = Optional.of("modem reset");
        } else {
            attempt(now, m, mm);
        }
    }

    private void attempt(Instant now, ModemView m, ModemManager mm) {
        try {
            if (m.state() == ModemView.LOCKED || m.unlockRequired() == ModemView.LOCK_SIM_PIN
                    || m.unlockRequired() == ModemView.LOCK_SIM_PUK) {
                unlock(now, m, mm);
            } else if (m.state() == ModemView.FAILED) {
                if (m.failedReason() == ModemView.FAILED_SIM_MISSING || m.failedReason() == ModemView.FAILED_SIM_ERROR) {
                    configError(now, "SIM missing or not usable (" + m.failedReasonName() + ")");
                } else {
                    policy.failed(now, "modem failed (" + m.failedReasonName() + ")");
                    problem = Optional.of("modem failed (" + m.failedReasonName() + ")");
                }
            } else if (m.state() == ModemView.DISABLED) {
                problem = Optional.of("enabling the modem");
                mm.enable(m.path());
            } else if (m.state() >= ModemView.ENABLED) {
                problem = Optional.of(m.registered() ? "connecting (APN " + settings.apn() + ")" : "no registration");
                connectStarted = now;
                connecting = Optional.of(mm.connect(m.path(), connectProperties()));
            } else {
                problem = Optional.of("modem " + m.stateName());
            }
        } catch (ModemError e) {
            failedWith(now, e);
        }
    }

    private void unlock(Instant now, ModemView m, ModemManager mm) throws ModemError {
        if (m.unlockRequired() == ModemView.LOCK_SIM_PUK) {
            permanent("SIM PUK required (too many wrong PINs): unlock the SIM with its PUK");
        } else if (m.unlockRequired() != ModemView.LOCK_SIM_PIN) {
            problem = Optional.of("SIM locked (" + m.lockName() + ")");
        } else if (settings.pin().isEmpty()) {
            configError(now, "SIM locked: it needs a PIN and the document has none");
        } else if (m.sim().isEmpty()) {
            problem = Optional.of("SIM locked, but ModemManager shows no SIM object");
        } else {
            problem = Optional.of("unlocking the SIM");
            // again after every power-up; but a PIN the SIM rejected is never sent again (permanent error)
            mm.sendPin(m.sim().get(), settings.pin().get());
            effects.info("cellular " + name + ": SIM unlocked");
        }
    }

    private void failedWith(Instant now, ModemError e) {
        switch (e.kind()) {
            case PERMANENT -> permanent(e.problem());
            case CONFIGURATION -> configError(now, e.problem());
            default -> {
                policy.failed(now, e.problem());
                problem = Optional.of(e.problem());
                effects.warn("cellular " + name + ": " + e.problem() + " (failure " + policy.failures() + " in a row)");
            }
        }
    }

    private void configError(Instant now, String what) {
        policy.configError(now, what);
        problem = Optional.of(what);
        reportOnce(what, "configuration error, no modem reset; retried in " + settings.recovery().reconnectMax()
                .toSeconds() + " s or when the document changes");
    }

    private void permanent(String what) {
        policy.permanentError(what);
        problem = Optional.of(what);
        reportOnce(what, "not retried until the document changes");
    }

    private void reportOnce(String what, String consequence) {
        if (!eventedProblem.equals(Optional.of(what))) {
            eventedProblem = Optional.of(what);
            effects.warn("cellular " + name + ": " + what + ": " + consequence);
            effects.event(event("configurationError", what));
        }
    }

    private void releaseIfAssigned() {
        if (assigned.isPresent()) {
            try {
                effects.release(name);
                assigned = Optional.empty();
            } catch (Exception e) {
                effects.warn("cellular " + name + ": cannot remove the bearer's IPv4 settings: " + e.getMessage());
            }
        }
    }

    /** The port leaves the document: its bearer goes down and its addresses go. */
    void stop(Optional<ModemManager> mm) {
        connecting.ifPresent(c -> c.cancel(true));
        if (up && mm.isPresent() && modem.isPresent() && bearer.isPresent()) {
            try {
                mm.get().disconnect(modem.get().path(), bearer.get().path());
            } catch (ModemError e) {
                effects.warn("cellular " + name + ": disconnect failed: " + e.getMessage());
            }
        }
        up = false;
        assigned = Optional.empty();
        try {
            effects.release(name); // also when a predecessor assigned it: releasing is idempotent
        } catch (Exception e) {
            effects.warn("cellular " + name + ": cannot remove the bearer's IPv4 settings: " + e.getMessage());
        }
    }

    /** The IPv4 layer came (back): assign again, it holds a listener of ours. */
    void reassign() {
        assigned = Optional.empty();
    }

    /** The ModemManager connection is gone: say so, keep what the kernel has (the bearer may well be up). */
    void unreachable(String why) {
        problem = Optional.of(why);
    }

    Optional<String> problem() {
        return problem;
    }

    Instant nextAttempt() {
        return policy.nextAttempt();
    }

    boolean connected() {
        return up;
    }

    RecoveryPolicy policy() {
        return policy;
    }

    private Map<String, Object> connectProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("apn", settings.apn());
        settings.username().ifPresent(u -> p.put("user", u));
        settings.password().ifPresent(pw -> p.put("password", pw));
        if (settings.auth() != CellularSettings.Auth.ANY) {
            p.put("allowed-auth", (long) settings.auth().bits);
        }
        p.put("ip-type", (long) settings.ipType().bits);
        p.put("allow-roaming", settings.roaming());
        return p;
    }

    /** An {@code evt/cellular} body: never a secret, the ICCID masked. */
    private Map<String, Object> event(String kind, String reason) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("event", kind);
        e.put("port", name);
        if (!reason.isEmpty()) {
            e.put("reason", reason);
        }
        e.put("failures", policy.failures());
        e.put("resets", policy.resets());
        modem.flatMap(ModemView::imei).ifPresent(i -> e.put("imei", i));
        iccid.ifPresent(i -> e.put("iccid", Iccid.mask(i)));
        return e;
    }

    /** Status details (plain JSON values, never secrets). */
    Map<String, Object> details(Instant now) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("apn", settings.apn());
        modem.ifPresentOrElse(m -> {
            d.put("modemState", m.stateName());
            if (m.state() == ModemView.FAILED) {
                d.put("failedReason", m.failedReasonName());
            }
            d.put("simLock", m.lockName());
            d.put("registration", m.registrationName());
            m.operatorName().ifPresent(o -> d.put("operatorName", o));
            m.operatorCode().ifPresent(o -> d.put("operatorCode", o));
            d.put("accessTechnology", m.accessTechNames());
            d.put("signalQuality", m.signalQuality());
            m.imei().ifPresent(i -> d.put("imei", i));
            d.put("equipmentId", m.equipmentId());
            if (!m.manufacturer().isEmpty() || !m.model().isEmpty()) {
                d.put("model", (m.manufacturer() + " " + m.model()).strip());
            }
        }, () -> d.put("modemState", "absent"));
        iccid.ifPresent(i -> d.put("iccid", i));
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("connected", up);
        bearer.ifPresent(x -> {
            x.interfaceName().ifPresent(i -> b.put("interface", i));
            x.ip4().ifPresent(ip -> {
                b.put("address", ip.address().toString());
                ip.gateway().ifPresent(g -> b.put("gateway", g.toString()));
                ip.mtu().ifPresent(mtu -> b.put("mtu", mtu));
            });
        });
        d.put("bearer", b);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("failures", policy.failures());
        r.put("resets", policy.resets());
        policy.lastReset().ifPresent(t -> r.put("lastReset", t.toString()));
        if (!up && policy.nextAttempt().isAfter(now)) {
            r.put("nextAttempt", policy.nextAttempt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString());
        }
        d.put("recovery", r);
        return d;
    }
}
