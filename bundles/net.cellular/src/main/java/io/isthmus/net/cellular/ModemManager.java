package io.isthmus.net.cellular;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The few ModemManager calls the driver makes (over D-Bus in the gateway; a fake in unit tests). */
interface ModemManager {

    /** Every modem ModemManager manages; fails when ModemManager is not there. */
    List<ModemView> modems() throws ModemError;

    Optional<BearerView> bearer(String path) throws ModemError;

    /** The SIM's ICCID ({@code SimIdentifier}). */
    Optional<String> iccid(String simPath) throws ModemError;

    void sendPin(String simPath, String pin) throws ModemError;

    void enable(String modemPath) throws ModemError;

    /**
     * {@code Modem.Simple.Connect}: ModemManager waits for registration and connects a bearer; may take long,
     * so it completes later with the bearer's path (or a {@link ModemError}).
     */
    CompletableFuture<String> connect(String modemPath, Map<String, Object> properties);

    void disconnect(String modemPath, String bearerPath) throws ModemError;

    void reset(String modemPath) throws ModemError;
}
